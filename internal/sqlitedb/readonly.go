package sqlitedb

import (
	"database/sql"
	"fmt"
	"net/url"
	"os"
)

// OpenReadOnly opens an existing database for reading only: no writer, no
// schema changes, and the file is not created when missing. Commands that
// must have no side effects (orderhub translate, status) use it.
func OpenReadOnly(path string, opts Options) (*DB, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	opts.setDefaults()
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	q := url.Values{}
	q.Set("mode", "ro")
	q.Set("_busy_timeout", fmt.Sprint(opts.BusyTimeout.Milliseconds()))
	q.Set("_query_only", "true")
	read, err := sql.Open("sqlite3", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	read.SetMaxOpenConns(opts.MaxReaders)
	read.SetMaxIdleConns(opts.MaxReaders)
	if err := read.Ping(); err != nil {
		read.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	db := &DB{
		path:    path,
		opts:    opts,
		read:    read,
		reqs:    make(chan *writeReq),
		closing: make(chan struct{}),
		done:    make(chan struct{}),
		stmts:   map[string]*sql.Stmt{},
		closed:  true,
	}
	close(db.done)
	return db, nil
}
