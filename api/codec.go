package api

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	commonpb "go.temporal.io/api/common/v1"

	"github.com/q2c-dev/q2c/models"
)

// codecRoutes answer Temporal's remote codec protocol for IT admins: the
// Temporal Web UI or CLI posts the payloads it shows, sealed as Temporal
// stores them, and gets them back readable (decode), or the other way
// (encode, for what a person sends from the UI). Each decode is audited.
func (s *Server) codecRoutes() []Route {
	return []Route{
		{Method: "POST", Path: "/api/v1/codec/decode", Summary: "Temporal remote codec: decrypt payloads (a JSON {\"payloads\": […]}) for the Temporal Web UI or CLI", Roles: admins, Handler: s.codec, Body: codecPayloads{}},
		{Method: "POST", Path: "/api/v1/codec/encode", Summary: "Temporal remote codec: encrypt payloads with the active key", Roles: admins, Handler: s.codec, Body: codecPayloads{}},
	}
}

// codecPayloads is the codec's body: Temporal's Payloads as its JSON
// (metadata values and data in base64), read as strictly as every body.
type codecPayloads struct {
	Payloads []codecPayload `json:"payloads"`
}

type codecPayload struct {
	Metadata map[string][]byte `json:"metadata"`
	Data     []byte            `json:"data"`
}

func (s *Server) codec(c *gin.Context) {
	var in codecPayloads
	if err := decodeJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	if s.PayloadCodec == nil {
		writeProblem(c, Problem{Type: ProblemNotFound, Title: "No such route", Status: http.StatusNotFound, Detail: "this API has no payload keys"})
		return
	}
	payloads := make([]*commonpb.Payload, len(in.Payloads))
	for i, p := range in.Payloads {
		payloads[i] = &commonpb.Payload{Metadata: p.Metadata, Data: p.Data}
	}
	decode := strings.HasSuffix(c.FullPath(), "/decode")
	var out []*commonpb.Payload
	var err error
	if decode {
		out, err = s.PayloadCodec.Decode(payloads)
	} else {
		out, err = s.PayloadCodec.Encode(payloads)
	}
	if err != nil {
		fail(c, models.Invalid("payloads", "%v", err))
		return
	}
	if decode { // reading what Temporal holds of customers is an access to their data
		if err := s.Store.AppendAudit(reqCtx(c), s.audit(c, "codec.decode", "temporal", c.GetHeader("X-Namespace"), fmt.Sprintf("%d payloads", len(out)))); err != nil {
			fail(c, err)
			return
		}
	}
	answer := codecPayloads{Payloads: make([]codecPayload, len(out))}
	for i, p := range out {
		answer.Payloads[i] = codecPayload{Metadata: p.GetMetadata(), Data: p.GetData()}
	}
	c.JSON(http.StatusOK, answer)
}
