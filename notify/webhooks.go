package notify

import (
	"errors"
	"fmt"

	"github.com/sendgrid/sendgrid-go/helpers/eventwebhook"
	tclient "github.com/twilio/twilio-go/client"
)

// Webhook signature headers.
const (
	SendGridSignatureHeader = eventwebhook.VerificationHTTPHeader
	SendGridTimestampHeader = eventwebhook.TimestampHTTPHeader
	TwilioSignatureHeader   = "X-Twilio-Signature"
)

// ErrBadSignature is returned for a webhook call that is unsigned or forged.
var ErrBadSignature = errors.New("webhook signature missing or invalid")

// VerifySendGridWebhook checks the ECDSA signature SendGrid's signed event
// webhook puts on body (base64 public key from SendGrid's settings).
func VerifySendGridWebhook(publicKeyBase64 string, body []byte, signature, timestamp string) error {
	if publicKeyBase64 == "" {
		return fmt.Errorf("%w: no SendGrid verification key is configured", ErrBadSignature)
	}
	if signature == "" || timestamp == "" {
		return ErrBadSignature
	}
	key, err := eventwebhook.ConvertPublicKeyBase64ToECDSA(publicKeyBase64)
	if err != nil {
		return fmt.Errorf("sendgrid verification key: %w", err)
	}
	ok, err := eventwebhook.VerifySignature(key, body, signature, timestamp)
	if err != nil || !ok {
		return ErrBadSignature
	}
	return nil
}

// VerifyTwilioWebhook checks X-Twilio-Signature for a form POST to url.
func VerifyTwilioWebhook(authToken, url string, params map[string]string, signature string) error {
	if authToken == "" || signature == "" {
		return ErrBadSignature
	}
	v := tclient.NewRequestValidator(authToken)
	if !v.Validate(url, params, signature) {
		return ErrBadSignature
	}
	return nil
}
