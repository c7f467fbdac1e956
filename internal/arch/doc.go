// Package arch holds the architecture test: the one place that states which
// q2c package may import which, checked against the imports the code has.
package arch
