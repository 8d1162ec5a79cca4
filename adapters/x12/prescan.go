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

// seekable returns r as an io.ReaderAt with the offset it is at, when it
// can seek.
func seekable(r io.Reader) (io.ReaderAt, int64, bool) {
	s, ok := r.(io.ReadSeeker)
	if !ok {
		return nil, 0, false
	}
	off, err := s.Seek(0, io.SeekCurrent)
	if err != nil {
		return nil, 0, false // a pipe or terminal behind an *os.File
	}
	if ra, ok := r.(io.ReaderAt); ok {
		return ra, off, true
	}
	return &seekReaderAt{s}, off, true
}

// seekReaderAt reads at an offset by seeking first. The two passes take
// turns, never reading at once.
type seekReaderAt struct{ s io.ReadSeeker }

func (a *seekReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if _, err := a.s.Seek(off, io.SeekStart); err != nil {
		return 0, err
	}
	n, err := io.ReadFull(a.s, p)
	if err == io.ErrUnexpectedEOF {
		err = io.EOF
	}
	return n, err
}
