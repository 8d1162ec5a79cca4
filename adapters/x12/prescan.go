package x12

import (
	"fmt"
	"io"
)

// verdict is what the first pass found of one interchange's envelopes.
type verdict struct {
	ix     []*Error
	groups []groupVerdict // the groups in error, by ordinal
}

type groupVerdict struct {
	ord  int
	errs []*Error
}

func (v *verdict) group(ord int) []*Error {
	for _, g := range v.groups {
		if g.ord == ord {
			return g.errs
		}
	}
	return nil
}

// prescan is the first pass: it walks the envelopes of the whole document,
// one interchange ahead of the second pass, and keeps only its verdicts.
type prescan struct {
	w      *walker
	groups []groupVerdict
}

func newPrescan(src io.Reader, opts Options, charset string) *prescan {
	sc := newScanner(src, opts.MaxSegment)
	sc.skim = true
	return &prescan{w: newWalker(sc, opts.Doc, charset)}
}

// verdictFor walks on to the end of interchange ord and returns what it
// found.
func (p *prescan) verdictFor(ord int) (*verdict, error) {
	for {
		ev, _ := p.w.step()
		switch ev {
		case evGroupEnd:
			if len(p.w.grpErrs) == 0 {
				continue
			}
			if len(p.groups) == maxBadGroups {
				p.w.ixErr(TA1InvalidContent, p.w.sc.tok.off, "GE", 0, "more than %d functional groups in error", maxBadGroups)
			}
			if len(p.groups) < maxBadGroups {
				p.groups = append(p.groups, groupVerdict{ord: p.w.grpOrd, errs: p.w.grpErrs})
			}
		case evIXEnd:
			v := &verdict{ix: p.w.ixErrs, groups: p.groups}
			p.groups = nil
			if p.w.ixOrd == ord {
				return v, nil
			}
		case evEOF:
			return nil, fmt.Errorf("first pass found no interchange %d", ord+1)
		case evErr:
			return nil, p.w.sc.err
		}
	}
}
