// Package dsl reads gilsim scenario files.
package dsl
