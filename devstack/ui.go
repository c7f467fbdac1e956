package devstack

import "errors"

// startUI is replaced when the Temporal Web UI is built in.
func startUI(string, int) (string, interface{ Stop() }, error) {
	return "", nil, errors.New("the Temporal Web UI is not built into this binary")
}
