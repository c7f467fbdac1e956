package keyring

import (
	"fmt"
	"net/http"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"google.golang.org/protobuf/proto"
)

// Payload metadata the codec writes. A payload without this encoding was
// written before the codec (or by a client without it) and is passed
// through as it is, so histories from before keep replaying.
const (
	MetadataEncoding = "encoding"
	EncodingSealed   = "binary/q2c-aes256gcm"
	MetadataKeyID    = "q2c-key-id"
)

// Codec encrypts every Temporal payload with the ring's active key and
// decrypts with whichever key a payload names: what Temporal stores (inputs,
// results, update arguments, memos, failures) is ciphertext to anyone
// without the keys, the Temporal server and its database included.
type Codec struct{ Ring *Ring }

var _ converter.PayloadCodec = Codec{}

// Encode seals each payload whole (its metadata and data).
func (c Codec) Encode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		raw, err := proto.Marshal(p)
		if err != nil {
			return nil, fmt.Errorf("keyring: encode payload: %w", err)
		}
		id, sealed := c.Ring.Seal(raw, []byte(EncodingSealed))
		out[i] = &commonpb.Payload{
			Metadata: map[string][]byte{MetadataEncoding: []byte(EncodingSealed), MetadataKeyID: []byte(id)},
			Data:     sealed,
		}
	}
	return out, nil
}

// Decode opens sealed payloads and passes others through.
func (c Codec) Decode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		if string(p.GetMetadata()[MetadataEncoding]) != EncodingSealed {
			out[i] = p
			continue
		}
		raw, err := c.Ring.Open(string(p.GetMetadata()[MetadataKeyID]), p.GetData(), []byte(EncodingSealed))
		if err != nil {
			return nil, fmt.Errorf("keyring: decode payload: %w", err)
		}
		var plain commonpb.Payload
		if err := proto.Unmarshal(raw, &plain); err != nil {
			return nil, fmt.Errorf("keyring: decode payload: %w", err)
		}
		out[i] = &plain
	}
	return out, nil
}

// DataConverter is the SDK's default converter with payloads sealed by the
// ring.
func DataConverter(r *Ring) converter.DataConverter {
	return converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), Codec{Ring: r})
}

// FailureConverter seals failures' messages and stack traces as well:
// an error can quote a customer's address or email.
func FailureConverter(r *Ring) converter.FailureConverter {
	return temporal.NewDefaultFailureConverter(temporal.DefaultFailureConverterOptions{DataConverter: DataConverter(r), EncodeCommonAttributes: true})
}

// HTTPHandler answers Temporal's remote codec protocol (POST …/encode and
// …/decode with a JSON list of payloads), for the Temporal Web UI and CLI
// of people allowed to read payloads; whoever mounts it decides who that is.
func HTTPHandler(r *Ring) http.Handler { return converter.NewPayloadCodecHTTPHandler(Codec{Ring: r}) }
