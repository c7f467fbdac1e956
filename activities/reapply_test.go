package activities_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/q2c-dev/q2c/activities"
)

// Every activity the worker registers is one the reconciliation after a
// restore knows: applied again, or named as writing nothing to restore. A
// new activity that writes must say how it is applied again.
func TestReapplierKnowsEveryActivity(t *testing.T) {
	r := activities.Reapplier{A: &activities.Activities{}}
	typ := reflect.TypeOf(&activities.Activities{})
	ctxType := reflect.TypeOf((*context.Context)(nil)).Elem()
	for i := range typ.NumMethod() {
		m := typ.Method(i)
		if m.Type.NumIn() < 2 || m.Type.In(1) != ctxType {
			continue // not an activity
		}
		t.Run(m.Name, func(t *testing.T) {
			// No payloads: a writer fails to decode, a read is skipped;
			// neither is "not known".
			_, err := r.Apply(context.Background(), activities.Recorded{Activity: m.Name})
			if err != nil && strings.Contains(err.Error(), "is not known") {
				t.Error(err)
			}
		})
	}
}
