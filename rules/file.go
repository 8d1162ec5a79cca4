package rules

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// File is the rules file of a data directory, read again when it changes.
// A missing file is an empty rule set; a file that no longer reads keeps
// the last good rules in force (and says why in Problem).
type File struct {
	path string

	mu      sync.RWMutex
	set     *Set
	stamp   string
	checked time.Time
	problem error
}

// FileName is the rules file's name in the data directory.
const FileName = "rules.yaml"

// Open reads the rules file at path (which may not exist yet).
func Open(path string) (*File, error) {
	f := &File{path: path, set: &Set{}}
	err := f.reload(true)
	return f, err
}

// refreshEvery is how often Current looks at the file for a change.
const refreshEvery = time.Second

// Current is the rules in force.
func (f *File) Current() *Set {
	if f == nil {
		return nil
	}
	f.mu.RLock()
	fresh := time.Since(f.checked) < refreshEvery
	set := f.set
	f.mu.RUnlock()
	if !fresh {
		f.reload(false)
		f.mu.RLock()
		set = f.set
		f.mu.RUnlock()
	}
	return set
}

// Problem is why the file on disk is not the rules in force, nil when it is.
func (f *File) Problem() error {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.problem
}

func (f *File) reload(force bool) error {
	st, err := os.Stat(f.path)
	stamp := ""
	if err == nil {
		stamp = fmt.Sprintf("%d/%d", st.ModTime().UnixNano(), st.Size())
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	f.mu.Lock()
	f.checked = time.Now()
	same := !force && stamp == f.stamp
	f.mu.Unlock()
	if same {
		return nil
	}
	set := &Set{}
	var problem error
	if stamp != "" {
		data, err := os.ReadFile(f.path)
		if err == nil {
			set, err = Decode(data, f.path)
		}
		problem = err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.stamp = stamp
	f.problem = problem
	if problem == nil {
		f.set = set
	}
	return problem
}

// Install checks the rules file at src and, when it reads, makes it the
// rules of the data directory dir: written beside, synced, renamed, so a
// running orderhub reads the old rules or the new, never half of them.
func Install(src, dir string) (*Set, error) {
	data, err := os.ReadFile(src)
	if err != nil {
		return nil, err
	}
	set, err := Decode(data, src)
	if err != nil {
		return nil, err
	}
	dest := filepath.Join(dir, FileName)
	tmp := dest + ".tmp"
	w, err := os.Create(tmp)
	if err != nil {
		return nil, err
	}
	_, werr := w.Write(data)
	serr := w.Sync()
	cerr := w.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		os.Remove(tmp)
		return nil, err
	}
	if err := os.Rename(tmp, dest); err != nil {
		os.Remove(tmp)
		return nil, err
	}
	return set, nil
}
