package main

import "flag"

// parseInterleaved parses flags that may come before, between or after
// the positional arguments ("import residents a.csv --under 大城街道"), and
// returns the positional ones. "--" ends the flags.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	if err := applyEnv(fs); err != nil {
		return nil, err
	}
	var pos []string
	rest := args
	for {
		if err := parseArgs(fs, rest); err != nil {
			return nil, err
		}
		rest = fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if rest[0] == "--" {
			return append(pos, rest[1:]...), nil
		}
		pos, rest = append(pos, rest[0]), rest[1:]
	}
}
