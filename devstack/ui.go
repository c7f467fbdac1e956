package devstack

import (
	"fmt"
	"net"
	"net/http"
	"time"

	uiserver "github.com/temporalio/ui-server/v2/server"
	uiconfig "github.com/temporalio/ui-server/v2/server/config"
	uioptions "github.com/temporalio/ui-server/v2/server/server_options"
)

// startUI serves the Temporal Web UI (assets embedded in the binary) on
// 127.0.0.1:port, talking to the embedded frontend at temporalAddr, and
// beside it, on a loopback port of its own, the payload codec the UI calls
// to show the payloads q2c seals (codec). Like the dev UI itself it asks
// no credentials and answers only this machine; production's codec is the
// API's, for IT admins (/api/v1/codec).
func startUI(temporalAddr string, port int, codec http.Handler) (string, interface{ Stop() }, error) {
	// The UI server exits the whole process when it cannot listen, so make
	// sure the port is free first (port 0 asks for any free port).
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return "", nil, fmt.Errorf("port %d is taken (set Q2C_DEV_UI_PORT or Q2C_DEV_UI=false): %w", port, err)
	}
	port = ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()
	codecLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("payload codec for the Web UI: %w", err)
	}
	codecSrv := &http.Server{Handler: uiCORS(codec, port), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = codecSrv.Serve(codecLn) }()
	srv := uiserver.NewServer(uioptions.WithConfigProvider(&uiconfig.Config{
		Host: "127.0.0.1", Port: port, TemporalGRPCAddress: temporalAddr,
		EnableUI: true, HideLogs: true, CORS: uiconfig.CORS{CookieInsecure: true},
		Codec: uiconfig.Codec{Endpoint: "http://" + codecLn.Addr().String()},
	}))
	go func() { _ = srv.Start() }()
	return fmt.Sprintf("http://127.0.0.1:%d", port), stopBoth{srv, codecSrv}, nil
}

type stopBoth struct {
	ui    interface{ Stop() }
	codec *http.Server
}

func (s stopBoth) Stop() {
	s.ui.Stop()
	_ = s.codec.Close()
}

// uiCORS lets the Web UI's pages (a browser on the UI's origin) call the
// codec: the UI posts payloads with a JSON body and the namespace header.
func uiCORS(next http.Handler, uiPort int) http.Handler {
	allowed := map[string]bool{fmt.Sprintf("http://127.0.0.1:%d", uiPort): true, fmt.Sprintf("http://localhost:%d", uiPort): true}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if o := r.Header.Get("Origin"); allowed[o] {
			w.Header().Set("Access-Control-Allow-Origin", o)
			w.Header().Set("Access-Control-Allow-Methods", "POST, OPTIONS")
			w.Header().Set("Access-Control-Allow-Headers", "Content-Type, X-Namespace")
			w.Header().Set("Vary", "Origin")
		}
		if r.Method == http.MethodOptions {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}
