package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

//go:embed static
var staticFS embed.FS

// staticFile is one embedded asset with its gzip form and content hash.
type staticFile struct {
	body, gz []byte
	hash     string
	ctype    string
}

// assets are read and compressed once at start-up.
var assets = loadAssets()

func loadAssets() map[string]staticFile {
	out := map[string]staticFile{}
	_ = fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		var gz bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
		_, _ = zw.Write(body)
		_ = zw.Close()
		sum := sha256.Sum256(body)
		ctype := mime.TypeByExtension(path.Ext(p))
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		out[strings.TrimPrefix(p, "static/")] = staticFile{body: body, gz: gz.Bytes(), hash: hex.EncodeToString(sum[:8]), ctype: ctype}
		return nil
	})
	return out
}

// asset is an asset's address with its content hash, so browsers may keep
// it for a year and still get a new version the moment it changes.
func asset(name string) string {
	f, ok := assets[name]
	if !ok {
		panic("web: no asset " + name)
	}
	return "/static/" + name + "?v=" + f.hash
}

func assetHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, ok := assets[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", f.ctype)
		h.Set("Vary", "Accept-Encoding")
		if r.URL.Query().Get("v") == f.hash {
			h.Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			h.Set("Cache-Control", "no-cache")
		}
		body := f.body
		if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			h.Set("Content-Encoding", "gzip")
			body = f.gz
		}
		_, _ = w.Write(body)
	})
}
