package x12

import "fmt"

func (r *Reader) beginIX() error {
	w := r.w
	r.sawISA = true
	r.ix = &InterchangeReport{Doc: r.opts.Doc, Header: w.ixHdr}
	if r.pre != nil {
		v, err := r.pre.verdictFor(w.ixOrd)
		if err != nil {
			return err
		}
		r.verdict = v
		r.ix.Errors = v.ix
	} else {
		r.ix.Errors = w.ixErrs
	}
	return nil
}

func (r *Reader) endIX() {
	if r.pre == nil {
		// Single pass: the verdicts are known only now, the sets long
		// handed out; their reports are brought into line for the
		// acknowledgements.
		r.ix.Errors = r.w.ixErrs
		for _, g := range r.ix.Groups {
			for _, s := range g.Sets {
				r.refuseIfEnvelope(s, g)
			}
		}
	}
	if r.opts.OnInterchange != nil {
		r.opts.OnInterchange(r.ix)
	}
	r.ix, r.grp, r.verdict = nil, nil, nil
}

func (r *Reader) beginGroup() {
	w := r.w
	r.grp = &GroupReport{Header: w.grpHdr}
	if r.controls == nil {
		r.controls = make(map[string]struct{})
	}
	clear(r.controls)
	r.ix.Groups = append(r.ix.Groups, r.grp)
	if r.pre != nil {
		r.grp.Errors = r.verdict.group(w.grpOrd)
	} else {
		r.grp.Errors = w.grpErrs
	}
}

func (r *Reader) endGroup() {
	if n := r.w.geSets; n >= 0 {
		r.grp.Declared, r.grp.DeclaredOK = n, true
	}
	if r.pre == nil {
		r.grp.Errors = r.w.grpErrs
	}
}

// refuseIfEnvelope refuses set report s, of group g, when its interchange
// or group is refused, citing the interchange's first error before the
// group's.
func (r *Reader) refuseIfEnvelope(s *SetReport, g *GroupReport) {
	switch {
	case len(r.ix.Errors) > 0:
		r.refuse(s, g.Header.Control, r.ix.Errors[0], "interchange", r.ix.Header.Control)
	case len(g.Errors) > 0:
		r.refuse(s, g.Header.Control, g.Errors[0], "functional group", g.Header.Control)
	}
}

// refuse adds to set report s, of group group, the error that says it is
// refused because of envelope error cause, unless it has one already.
func (r *Reader) refuse(s *SetReport, group string, cause *Error, what, control string) {
	for _, e := range s.Errors {
		if e.Level <= LevelGroup {
			return
		}
	}
	s.Errors = append(s.Errors, &Error{
		Doc: r.opts.Doc, Interchange: r.ix.Header.Control, Group: group,
		Transaction: s.Control, Set: s.Code, Offset: cause.Offset,
		Level: cause.Level, Code: cause.Code,
		Msg: fmt.Sprintf("refused with its %s %s: %s", what, control, cause.Msg),
	})
}

func (r *Reader) junk(t *token) {
	if r.w.ixBad {
		// The bytes after an ISA that could not be read belong to the
		// interchange it refused.
		return
	}
	where := "before the first ISA"
	if r.sawISA {
		where = "after an interchange, where ISA was expected"
	}
	r.docErr(t.off, "%d bytes %s are not X12", t.n, where)
}

func (r *Reader) docErr(off int64, format string, args ...any) {
	if len(r.docErrs) >= maxErrors {
		return
	}
	r.docErrs = append(r.docErrs, &Error{
		Doc: r.opts.Doc, Offset: off, Level: LevelInterchange, Code: TA1InvalidContent,
		Msg: fmt.Sprintf(format, args...),
	})
}

func (r *Reader) end() {
	if r.sawISA {
		return
	}
	switch len(r.docErrs) {
	case 0:
		r.docErr(0, "the document is empty: no ISA segment")
	case 1:
		r.docErrs[0].Msg = "no ISA segment: not an X12 interchange"
	}
}
