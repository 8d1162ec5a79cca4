package app

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// ErrLocked is returned by Lock when another process serves the data
// directory.
var ErrLocked = errors.New("data directory in use")

// Lock takes the data directory for this process: one process runs the
// pipeline and the inbox on a data directory. The lock is an flock, so the
// kernel drops it when the process dies, even by SIGKILL.
func (a *App) Lock() error {
	if a.lock != nil {
		return nil
	}
	path := filepath.Join(a.Cfg.Data, "orderhub.lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		b, _ := os.ReadFile(path)
		f.Close()
		return fmt.Errorf("%w: %s is held by orderhub pid %s", ErrLocked, a.Cfg.Data, strings.TrimSpace(string(b)))
	}
	f.Truncate(0)
	f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	a.lock = f
	return nil
}

// Unlock releases the lock taken by Lock.
func (a *App) Unlock() {
	if a.lock != nil {
		syscall.Flock(int(a.lock.Fd()), syscall.LOCK_UN)
		a.lock.Close()
		a.lock = nil
	}
}

// Served tells whether another process holds the data directory (an
// `orderhub serve` is running on it).
func Served(data string) bool {
	f, err := os.OpenFile(filepath.Join(data, "orderhub.lock"), os.O_RDWR, 0)
	if err != nil {
		return false
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		return true
	}
	syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	return false
}
