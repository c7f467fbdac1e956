package devtemporal

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/log"
	pgplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/postgresql"
	pgschema "go.temporal.io/server/schema/postgresql/v12"
	"go.temporal.io/server/tools/common/schema"
	sqltool "go.temporal.io/server/tools/sql"
	"google.golang.org/protobuf/types/known/durationpb"
)

// Postgres keeps Temporal's state in PostgreSQL, as production does: two
// databases on one server (history and visibility), created with their
// schemas when missing.
type Postgres struct {
	Addr, User, Password string // host:port; trust auth when Password is empty
	// Database and VisibilityDatabase are created when missing.
	Database, VisibilityDatabase string
}

// postgresConfigs are the server's datastores for p, their schemas set up.
func postgresConfigs(p Postgres) (history, visibility *config.SQL, err error) {
	cfg := func(db string) *config.SQL {
		return &config.SQL{PluginName: pgplugin.PluginNamePGX, ConnectAddr: p.Addr, ConnectProtocol: "tcp",
			User: p.User, Password: p.Password, DatabaseName: db, MaxConns: 20, MaxIdleConns: 20}
	}
	history, visibility = cfg(p.Database), cfg(p.VisibilityDatabase)
	for _, s := range []struct {
		cfg     *config.SQL
		name    string
		version string
	}{
		{history, "postgresql/v12/temporal", pgschema.Version},
		{visibility, "postgresql/v12/visibility", pgschema.VisibilityVersion},
	} {
		if err := setupPostgresSchema(s.cfg, s.name, s.version); err != nil {
			return nil, nil, err
		}
	}
	return history, visibility, nil
}

// setupPostgresSchema creates the database when missing and its schema at
// version when it has none, with the server's own schema tool.
func setupPostgresSchema(cfg *config.SQL, name, version string) error {
	logger := log.NewNoopLogger()
	c := *cfg
	if err := sqltool.DoCreateDatabase(&c, "postgres", logger); err != nil && !isDuplicateDatabase(err) {
		return fmt.Errorf("devtemporal: create database %s: %w", cfg.DatabaseName, err)
	}
	conn, err := sqltool.NewConnection(cfg, logger)
	if err != nil {
		return fmt.Errorf("devtemporal: connect to %s: %w", cfg.DatabaseName, err)
	}
	defer conn.Close()
	if v, err := conn.ReadSchemaVersion(); err == nil && v != "" {
		return nil // set up before: a restart
	}
	task := schema.NewSetupSchemaTask(conn, &schema.SetupConfig{SchemaName: name, InitialVersion: version}, logger)
	if err := task.Run(); err != nil {
		return fmt.Errorf("devtemporal: schema %s: %w", name, err)
	}
	return nil
}

// isDuplicateDatabase: Postgres's "database already exists" (42P04).
func isDuplicateDatabase(err error) bool {
	return strings.Contains(err.Error(), "42P04") || strings.Contains(err.Error(), "already exists")
}

// registerNamespaces creates the namespaces through the frontend: with
// Postgres persistence they are not written before the server starts. The
// frontend limits the rate of such calls, so each is retried on its own.
func (s *Server) registerNamespaces(ctx context.Context, names []string) error {
	var c client.Client
	if err := s.retry(ctx, func() (err error) {
		c, err = client.DialContext(ctx, client.Options{HostPort: s.address, Logger: quietSDKLogger{}})
		return err
	}); err != nil {
		return fmt.Errorf("devtemporal: dial: %w", err)
	}
	defer c.Close()
	for _, name := range names {
		if err := s.retry(ctx, func() error {
			_, err := c.WorkflowService().RegisterNamespace(ctx, &workflowservice.RegisterNamespaceRequest{
				Namespace: name, WorkflowExecutionRetentionPeriod: durationpb.New(24 * time.Hour),
			})
			var exists *serviceerror.NamespaceAlreadyExists
			if errors.As(err, &exists) {
				return nil
			}
			return err
		}); err != nil {
			return fmt.Errorf("devtemporal: register namespace %s: %w", name, err)
		}
	}
	return nil
}
