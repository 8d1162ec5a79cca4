package sheet

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// redden fills a cell red, keeping the rest of its style (its number
// format above all).
func (an *annotator) redden(sheet, ref string, bold bool) error {
	id, err := an.f.GetCellStyle(sheet, ref)
	if err != nil {
		return fmt.Errorf("annotate %s: sheet %s: cell %s: style: %w", an.doc, sheet, ref, err)
	}
	return an.restyle(sheet, ref, id, true, bold)
}

// restyle sets a cell's style to style base with the red fill and bold
// added, as asked.
func (an *annotator) restyle(sheet, ref string, base int, red, bold bool) error {
	cache := an.red
	if bold {
		cache = an.redBold
	}
	key := base
	if !red {
		key = -1 - base // bold only
	}
	id, ok := cache[key]
	if !ok {
		st, err := an.f.GetStyle(base)
		if err != nil {
			return fmt.Errorf("annotate %s: sheet %s: cell %s: style %d: %w", an.doc, sheet, ref, base, err)
		}
		if red {
			st.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{annRed}}
		}
		if bold {
			if st.Font == nil {
				st.Font = &excelize.Font{}
			}
			st.Font.Bold = true
		}
		if id, err = an.f.NewStyle(st); err != nil {
			return fmt.Errorf("annotate %s: sheet %s: cell %s: new style: %w", an.doc, sheet, ref, err)
		}
		cache[key] = id
	}
	if err := an.f.SetCellStyle(sheet, ref, ref, id); err != nil {
		return fmt.Errorf("annotate %s: sheet %s: cell %s: style: %w", an.doc, sheet, ref, err)
	}
	return nil
}

// fillStyle makes (once) a style that is only a solid fill.
func (an *annotator) fillStyle(id *int, color string) (int, error) {
	if *id != 0 {
		return *id, nil
	}
	s, err := an.f.NewStyle(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{color}}})
	*id = s
	return s, err
}

// comment puts the messages in a comment on the cell, one a line, after
// the text of the comment the cell had, if any.
func (an *annotator) comment(sheet, ref string, msgs []string, old map[string]excelize.Comment) error {
	text := strings.Join(msgs, "\n")
	lines := 0
	for _, m := range msgs {
		lines += 1 + utf8.RuneCountInString(m)/40
	}
	c := excelize.Comment{Cell: ref, Author: annAuthor, Text: text, Width: 320, Height: uint(min(400, 24+16*lines))}
	if prev, ok := old[ref]; ok {
		if err := an.f.DeleteComment(sheet, ref); err != nil {
			return fmt.Errorf("annotate %s: sheet %s: cell %s: replace the comment: %w", an.doc, sheet, ref, err)
		}
		var runs []excelize.RichTextRun
		if prev.Text != "" {
			runs = append(runs, excelize.RichTextRun{Text: prev.Text})
		}
		runs = append(runs, prev.Paragraph...)
		runs = append(runs, excelize.RichTextRun{Text: "\n" + annAuthor + ":\n" + text})
		c.Text, c.Paragraph = "", runs
		c.Height = min(400, c.Height+60)
	}
	if err := an.f.AddComment(sheet, c); err != nil {
		return fmt.Errorf("annotate %s: sheet %s: cell %s: comment: %w", an.doc, sheet, ref, err)
	}
	return nil
}
