package lsp

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
)

// MaxMessage bounds one message from the client. A document at the dsl's
// limit (16 MiB) fits even if every byte needed an escape of two bytes
// in JSON, with room for the rest of the message.
const MaxMessage = 40 << 20

// maxHeaderLine bounds one header line.
const maxHeaderLine = 4 << 10

// JSON-RPC error codes the stream answers with itself.
const (
	codeParseError     = -32700
	codeInvalidRequest = -32600
)

// stream is the base protocol of LSP on a byte stream: messages framed by
// a Content-Length header, as a jsonrpc2.ObjectStream. Unlike the
// library's own codec it survives a bad message: a frame that is not JSON,
// or not a JSON-RPC message, or too large, is answered with the
// protocol's error and skipped, and the next frame is read. Only the end
// of the input (or a broken pipe) ends the stream.
type stream struct {
	r  *bufio.Reader
	w  io.Writer
	c  io.Closer
	mu sync.Mutex // one message written at a time
}

func newStream(rwc io.ReadWriteCloser) *stream {
	return &stream{r: bufio.NewReaderSize(rwc, 64<<10), w: rwc, c: rwc}
}

// WriteObject writes one framed message.
func (s *stream) WriteObject(obj any) error {
	data, err := json.Marshal(obj)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := fmt.Fprintf(s.w, "Content-Length: %d\r\n\r\n", len(data)); err != nil {
		return err
	}
	_, err = s.w.Write(data)
	return err
}

// ReadObject reads the next well-formed message into v, answering and
// skipping the malformed ones before it.
func (s *stream) ReadObject(v any) error {
	for {
		body, bad, err := s.readFrame()
		if err != nil {
			return err
		}
		if bad != "" {
			s.answer(nil, codeInvalidRequest, bad)
			continue
		}
		if err := json.Unmarshal(body, v); err != nil {
			s.refuse(body, err)
			continue
		}
		return nil
	}
}

func (s *stream) Close() error { return s.c.Close() }

// readFrame reads one frame. bad says what is wrong with a frame that was
// read whole but cannot be used (no Content-Length, too large); err is
// the end of the stream.
func (s *stream) readFrame() (body []byte, bad string, err error) {
	length := -1
	headers := 0
	for {
		line, tooLong, err := s.readLine()
		if err != nil {
			return nil, "", err
		}
		headers++
		if tooLong {
			bad = "a header line is too long"
			continue
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			if headers == 1 {
				headers = 0 // a blank line between messages: skipped
				continue
			}
			break
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			bad = fmt.Sprintf("malformed header line %q", clip(line))
			continue
		}
		if strings.EqualFold(strings.TrimSpace(name), "Content-Length") {
			n, err := strconv.ParseInt(strings.TrimSpace(value), 10, 64)
			if err != nil || n < 0 {
				bad = fmt.Sprintf("bad Content-Length %q", clip(value))
				continue
			}
			length = int(min(n, 1<<62))
		}
	}
	switch {
	case length < 0:
		if bad == "" {
			bad = "no Content-Length header"
		}
		return nil, bad, nil
	case length > MaxMessage:
		if _, err := io.CopyN(io.Discard, s.r, int64(length)); err != nil {
			return nil, "", err
		}
		return nil, fmt.Sprintf("a message of %d bytes is over the limit of %d", length, MaxMessage), nil
	}
	body = make([]byte, length)
	if _, err := io.ReadFull(s.r, body); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			err = io.EOF
		}
		return nil, "", err
	}
	return body, bad, nil
}

// readLine reads a header line of at most maxHeaderLine bytes; a longer
// one is read to its end and reported.
func (s *stream) readLine() (line string, tooLong bool, err error) {
	var b []byte
	for {
		chunk, err := s.r.ReadSlice('\n')
		if len(b)+len(chunk) <= maxHeaderLine {
			b = append(b, chunk...)
		} else {
			tooLong = true
		}
		switch {
		case err == nil:
			return string(b), tooLong, nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		default:
			return "", false, err
		}
	}
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// refuse answers a frame the JSON-RPC library could not read: a parse
// error when it is not JSON, an invalid request (with its id, if it has
// one the library could not use) when it is JSON but not a message.
func (s *stream) refuse(body []byte, err error) {
	if !json.Valid(body) {
		s.answer(nil, codeParseError, "parse error: the message is not JSON")
		return
	}
	var probe struct {
		ID json.RawMessage `json:"id"`
	}
	var id json.RawMessage
	if json.Unmarshal(body, &probe) == nil && len(probe.ID) > 0 && isJSONRPCID(probe.ID) {
		id = probe.ID
	}
	msg := "invalid request: " + err.Error()
	if bytes.HasPrefix(bytes.TrimSpace(body), []byte("[")) {
		msg = "invalid request: batches are not supported"
	}
	s.answer(id, codeInvalidRequest, msg)
}

// isJSONRPCID reports whether raw is a string or a number.
func isJSONRPCID(raw json.RawMessage) bool {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return false
	}
	switch v.(type) {
	case string, float64:
		return true
	}
	return false
}

// answer writes an error response; id is null when unknown.
func (s *stream) answer(id json.RawMessage, code int, msg string) {
	if id == nil {
		id = json.RawMessage("null")
	}
	s.WriteObject(map[string]any{
		"jsonrpc": "2.0",
		"id":      id,
		"error":   map[string]any{"code": code, "message": msg},
	})
}
