package devstack

import (
	"fmt"
	"net"

	uiserver "github.com/temporalio/ui-server/v2/server"
	uiconfig "github.com/temporalio/ui-server/v2/server/config"
	uioptions "github.com/temporalio/ui-server/v2/server/server_options"
)

// startUI serves the Temporal Web UI (assets embedded in the binary) on
// 127.0.0.1:port, talking to the embedded frontend at temporalAddr.
func startUI(temporalAddr string, port int) (string, interface{ Stop() }, error) {
	// The UI server exits the whole process when it cannot listen, so make
	// sure the port is free first (port 0 asks for any free port).
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return "", nil, fmt.Errorf("port %d is taken (set Q2C_DEV_UI_PORT or Q2C_DEV_UI=false): %w", port, err)
	}
	port = ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()
	srv := uiserver.NewServer(uioptions.WithConfigProvider(&uiconfig.Config{
		Host: "127.0.0.1", Port: port, TemporalGRPCAddress: temporalAddr,
		EnableUI: true, HideLogs: true, CORS: uiconfig.CORS{CookieInsecure: true},
	}))
	go func() { _ = srv.Start() }()
	return fmt.Sprintf("http://127.0.0.1:%d", port), srv, nil
}
