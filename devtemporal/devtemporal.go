// Package devtemporal runs a Temporal server inside the q2c process for the
// dev stack and the integration tests: SQLite persistence (in memory, or a
// file), one history shard, loopback ports, quiet logs. It is the only q2c
// package that imports go.temporal.io/server, which is large; the production
// api and worker binaries do not link it.
package devtemporal

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/membership/static"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/common/primitives"
	sqliteschema "go.temporal.io/server/schema/sqlite"
	"go.temporal.io/server/temporal"

	"github.com/q2c-dev/q2c/internal/sqlitewal"
)

// Options configure the embedded server.
type Options struct {
	// DBFile persists Temporal's state; empty keeps it in memory.
	DBFile string
	// Port is the frontend gRPC port on 127.0.0.1; 0 picks a free one.
	Port int
	// Namespaces to create; "default" when empty.
	Namespaces []string
	// LogLevel of the server's own logs: debug, info, warn (default) or error.
	LogLevel string
	// LogFile receives the server's own logs; empty means stderr. The server
	// logs transient errors while it starts, which would bury q2c's output.
	LogFile string
	// Postgres, when set, keeps Temporal's state in PostgreSQL instead of
	// SQLite (DBFile is then unused), over Shards history shards (4 when 0).
	Postgres *Postgres
	Shards   int
	// LowLatency polls the history service's task queues at up to 1,000
	// times a second instead of 20: each workflow step otherwise waits up
	// to 50 ms for the next poll, which a one-process dev server with idle
	// cores need not. The dev stack sets it; see README, Performance.
	LowLatency bool
	// Logger receives what the server's own logs do not: failed background
	// checkpoints of DBFile. slog's default when nil.
	Logger *slog.Logger
}

// lowLatencyPollRPS is the history queues' poll rate with LowLatency.
const lowLatencyPollRPS = 1000

// Server is a running embedded Temporal server.
type Server struct {
	srv       temporal.Server
	address   string
	namespace string
	wals      []*walFile // background checkpoints of DBFile and its visibility file; none in memory or on Postgres
}

const clusterName = "active"

// Start starts the server and returns when its frontend answers.
func Start(ctx context.Context, o Options) (*Server, error) {
	if len(o.Namespaces) == 0 {
		o.Namespaces = []string{"default"}
	}
	if o.LogLevel == "" {
		o.LogLevel = "warn"
	}
	ports, err := freePorts(9)
	if err != nil {
		return nil, err
	}
	if o.Port == 0 {
		o.Port = ports[8]
	}
	var cfg *config.Config
	if o.Postgres != nil {
		history, visibility, err := postgresConfigs(*o.Postgres)
		if err != nil {
			return nil, err
		}
		cfg = serverConfig(o, history, ports)
		if o.Shards <= 0 {
			o.Shards = 4
		}
		cfg.Persistence.NumHistoryShards = int32(o.Shards)
		cfg.Persistence.DefaultStore, cfg.Persistence.VisibilityStore = "postgres", "postgres-visibility"
		cfg.Persistence.DataStores = map[string]config.DataStore{"postgres": {SQL: history}, "postgres-visibility": {SQL: visibility}}
	} else {
		sqlCfg, err := sqlConfig(o)
		if err != nil {
			return nil, err
		}
		visibility, err := visibilityConfig(o, sqlCfg)
		if err != nil {
			return nil, err
		}
		cfg = serverConfig(o, sqlCfg, ports)
		cfg.Persistence.VisibilityStore = "sqlite-visibility"
		cfg.Persistence.DataStores["sqlite-visibility"] = config.DataStore{SQL: visibility}
	}
	dynamic := dynamicconfig.StaticClient{
		// Let the dev stack and tests see new workflows in lists at once.
		dynamicconfig.FrontendEnableUpdateWorkflowExecution.Key():              true,
		dynamicconfig.FrontendEnableUpdateWorkflowExecutionAsyncAccepted.Key(): true,
		// Schedules run on a per-namespace system worker, started 10 a
		// second by default: with the integration tests' 200 namespaces a
		// schedule could wait 20 s for its worker.
		dynamicconfig.WorkerPerNamespaceWorkerStartRate.Key(): 1000.0,
	}
	if o.LowLatency {
		dynamic[dynamicconfig.TransferProcessorMaxPollRPS.Key()] = lowLatencyPollRPS
		// One partition a task queue: with the default four, a task written
		// to a partition no poller waits on waited for a forward or the
		// next poll, and about a fifth of Update-with-Starts took ~90 ms
		// instead of ~8. One process needs no spread across partitions.
		dynamic[dynamicconfig.MatchingNumTaskqueueReadPartitions.Key()] = 1
		dynamic[dynamicconfig.MatchingNumTaskqueueWritePartitions.Key()] = 1
	}
	srv, err := temporal.NewServer(
		temporal.WithConfig(cfg),
		temporal.ForServices(temporal.DefaultServices),
		// One process is the whole cluster: static membership, not ringpop.
		// With ringpop a restart on a persisted database first tries to join
		// the previous run's members (other ports, now dead) and blocks every
		// workflow call for ~50 s before giving up; static hosts have no
		// membership to remember, so a restart is as fast as a first start.
		temporal.WithStaticHosts(staticHosts(cfg)),
		temporal.WithLogger(log.NewZapLogger(log.BuildZapLogger(log.Config{Level: o.LogLevel, Format: "json", OutputFile: o.LogFile}))),
		temporal.WithDynamicConfigClient(dynamic),
	)
	if err != nil {
		return nil, fmt.Errorf("devtemporal: build server: %w", err)
	}
	if err := srv.Start(); err != nil {
		return nil, fmt.Errorf("devtemporal: start server: %w", err)
	}
	s := &Server{srv: srv, address: net.JoinHostPort("127.0.0.1", strconv.Itoa(o.Port)), namespace: o.Namespaces[0]}
	if o.Postgres == nil && o.DBFile != "" {
		for _, file := range []string{o.DBFile, VisibilityFile(o.DBFile)} {
			wal, err := openWAL(file, o.Logger)
			if err != nil {
				s.Stop()
				return nil, err
			}
			s.wals = append(s.wals, wal)
		}
	}
	if o.Postgres != nil {
		if err := s.registerNamespaces(ctx, o.Namespaces); err != nil {
			s.Stop()
			return nil, err
		}
	}
	if err := s.waitReady(ctx); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

// Address is the frontend's host:port.
func (s *Server) Address() string { return s.address }

// Namespace is the first namespace created.
func (s *Server) Namespace() string { return s.namespace }

// Stop shuts the server down.
func (s *Server) Stop() {
	s.srv.Stop()
	for _, wal := range s.wals {
		wal.close()
	}
}

// waitReady returns once the frontend serves the namespace.
func (s *Server) waitReady(ctx context.Context) error {
	return s.retry(ctx, func() error {
		c, err := client.DialContext(ctx, client.Options{HostPort: s.address, Namespace: s.namespace, Logger: quietSDKLogger{}})
		if err != nil {
			return err
		}
		defer c.Close()
		_, err = c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: s.namespace})
		return err
	})
}

// retry calls try every 50 ms until it succeeds, for at most a minute: the
// frontend answers moments after Start returns.
func (s *Server) retry(ctx context.Context, try func() error) error {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	for {
		err := try()
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("devtemporal: server not ready: %w", errors.Join(ctx.Err(), err))
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func sqlConfig(o Options) (*config.SQL, error) {
	c := &config.SQL{PluginName: sqliteplugin.PluginName}
	if o.DBFile == "" {
		c.DatabaseName = "q2c-" + randomHex(8)
		c.ConnectAttributes = map[string]string{"mode": "memory", "cache": "shared"}
	} else {
		c.DatabaseName = o.DBFile
		// Temporal's SQLite plugin passes these as _pragma=name=value: the
		// names are SQLite's own (a leading underscore is silently ignored).
		// No commit checkpoints the log: walFile does, in the background,
		// from a second connection. The server's one connection must then
		// wait out the moments a checkpoint holds a lock it needs: without
		// a busy timeout SQLite refuses at once (SQLITE_BUSY), and under 64
		// clients an order stopped short of allocation.
		c.ConnectAttributes = map[string]string{"mode": "rwc", "journal_mode": "wal", "synchronous": "normal",
			sqlitewal.NoAutoCheckpoint: sqlitewal.NoAutoCheckpointValue, "busy_timeout": "10000"}
		if err := os.MkdirAll(filepath.Dir(o.DBFile), 0o750); err != nil {
			return nil, fmt.Errorf("devtemporal: %w", err)
		}
		if err := setupIfNew(c); err != nil {
			return nil, err
		}
	}
	var nss []*sqliteschema.NamespaceConfig
	for _, name := range o.Namespaces {
		ns, err := sqliteschema.NewNamespaceConfig(clusterName, name, false, nil)
		if err != nil {
			return nil, fmt.Errorf("devtemporal: namespace %s: %w", name, err)
		}
		nss = append(nss, ns)
	}
	if err := sqliteschema.CreateNamespaces(c, nss...); err != nil {
		return nil, fmt.Errorf("devtemporal: create namespaces: %w", err)
	}
	return c, nil
}

// setupIfNew creates Temporal's schema in the file c names when there is
// no such file yet.
func setupIfNew(c *config.SQL) error {
	if _, err := os.Stat(c.DatabaseName); !errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err := sqliteschema.SetupSchema(c); err != nil {
		return fmt.Errorf("devtemporal: create schema in %s: %w", c.DatabaseName, err)
	}
	return nil
}

// staticHosts names each service's own gRPC address as its only member.
func staticHosts(cfg *config.Config) map[primitives.ServiceName]static.Hosts {
	hosts := make(map[primitives.ServiceName]static.Hosts, len(cfg.Services))
	for name, svc := range cfg.Services {
		hosts[primitives.ServiceName(name)] = static.SingleLocalHost(net.JoinHostPort(svc.RPC.BindOnIP, strconv.Itoa(svc.RPC.GRPCPort)))
	}
	return hosts
}

func serverConfig(o Options, sqlCfg *config.SQL, ports []int) *config.Config {
	frontend := fmt.Sprintf("127.0.0.1:%d", o.Port)
	cfg := &config.Config{}
	cfg.Global.Membership.MaxJoinDuration = 30 * time.Second
	cfg.Global.Membership.BroadcastAddress = "127.0.0.1"
	cfg.Persistence.DefaultStore = "sqlite"
	cfg.Persistence.VisibilityStore = "sqlite"
	cfg.Persistence.NumHistoryShards = 1
	cfg.Persistence.DataStores = map[string]config.DataStore{"sqlite": {SQL: sqlCfg}}
	cfg.ClusterMetadata = &cluster.Config{
		EnableGlobalNamespace:    false,
		FailoverVersionIncrement: 10,
		MasterClusterName:        clusterName,
		CurrentClusterName:       clusterName,
		ClusterInformation: map[string]cluster.ClusterInformation{
			clusterName: {Enabled: true, InitialFailoverVersion: 1, RPCAddress: frontend, ClusterID: "q2c-dev"},
		},
	}
	cfg.DCRedirectionPolicy.Policy = "noop"
	svc := func(grpc, membership int) config.Service {
		var s config.Service
		s.RPC.GRPCPort, s.RPC.MembershipPort, s.RPC.BindOnIP = grpc, membership, "127.0.0.1"
		return s
	}
	cfg.Services = map[string]config.Service{
		"frontend": svc(o.Port, ports[0]),
		"history":  svc(ports[1], ports[2]),
		"matching": svc(ports[3], ports[4]),
		"worker":   svc(ports[5], ports[6]),
	}
	cfg.Archival.History.State = "disabled"
	cfg.Archival.Visibility.State = "disabled"
	cfg.NamespaceDefaults.Archival.History.State = "disabled"
	cfg.NamespaceDefaults.Archival.Visibility.State = "disabled"
	cfg.PublicClient.HostPort = frontend
	return cfg
}

// freePorts asks the kernel for n free loopback ports, holding them all
// open at once so that they differ.
func freePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			_ = l.Close()
		}
	}()
	var ports []int
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("devtemporal: free port: %w", err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

type quietSDKLogger struct{}

func (quietSDKLogger) Debug(string, ...interface{}) {}
func (quietSDKLogger) Info(string, ...interface{})  {}
func (quietSDKLogger) Warn(string, ...interface{})  {}
func (quietSDKLogger) Error(string, ...interface{}) {}
