package pipeline

import (
	"errors"
	"fmt"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"
)

// PermanentError marks an error that retrying cannot cure (a payload that is
// not an order, an order the store does not know). The retry middleware lets
// it through at once and the poison queue takes the message.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// Permanent wraps err as permanent.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &PermanentError{Err: err}
}

// IsPermanent tells whether retrying err is pointless. A recovered panic is
// permanent: the same message will panic again.
func IsPermanent(err error) bool {
	var pe *PermanentError
	if errors.As(err, &pe) {
		return true
	}
	var rp middleware.RecoveredPanicError
	return errors.As(err, &rp)
}

// recoverer turns a handler panic into a permanent error carrying the stack,
// so the message goes to the poison queue instead of killing the process.
func recoverer(h message.HandlerFunc) message.HandlerFunc {
	rec := middleware.Recoverer(h)
	return func(msg *message.Message) ([]*message.Message, error) {
		out, err := rec(msg)
		if err != nil {
			var rp middleware.RecoveredPanicError
			if errors.As(err, &rp) {
				return out, Permanent(fmt.Errorf("panic: %v", rp.V))
			}
		}
		return out, err
	}
}
