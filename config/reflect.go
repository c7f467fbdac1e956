package config

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"time"
)

type field struct {
	env, def string
	v        reflect.Value
}

func (f field) display() string {
	if s, ok := f.v.Interface().(fmt.Stringer); ok {
		return s.String()
	}
	return fmt.Sprint(f.v.Interface())
}

func walk(c *Config, fn func(field)) {
	rv := reflect.ValueOf(c).Elem()
	rt := rv.Type()
	for i := 0; i < rt.NumField(); i++ {
		sf := rt.Field(i)
		fn(field{env: sf.Tag.Get("env"), def: sf.Tag.Get("default"), v: rv.Field(i)})
	}
}

var durationType = reflect.TypeOf(time.Duration(0))

func fill(c *Config, getenv func(string) string) error {
	var errs []error
	walk(c, func(f field) {
		raw := getenv(f.env)
		if raw == "" {
			raw = f.def
		}
		if raw == "" {
			return
		}
		if err := set(f.v, raw); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", f.env, err))
		}
	})
	return errors.Join(errs...)
}

func set(v reflect.Value, raw string) error {
	switch {
	case v.Type() == durationType:
		d, err := time.ParseDuration(raw)
		if err != nil {
			return fmt.Errorf("%q is not a duration such as 15m", raw)
		}
		v.SetInt(int64(d))
	case v.Kind() == reflect.String:
		v.SetString(raw)
	case v.Kind() == reflect.Bool:
		b, err := parseBool(raw)
		if err != nil {
			return fmt.Errorf("%q is not true or false", raw)
		}
		v.SetBool(b)
	case v.Kind() == reflect.Int || v.Kind() == reflect.Int64:
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return fmt.Errorf("%q is not a whole number", raw)
		}
		v.SetInt(n)
	default:
		return fmt.Errorf("unsupported setting type %s", v.Type())
	}
	return nil
}

func sortErrs(errs []error) []error {
	sort.Slice(errs, func(i, j int) bool { return errs[i].Error() < errs[j].Error() })
	return errs
}
