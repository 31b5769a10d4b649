package discord

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
)

// decodeInteraction parses an interaction request body into in exactly as
// json.Unmarshal(data, in) would (same accepted inputs, same result), but
// without reflection: it runs on every request, where its cost adds to the
// signature check. Unknown fields are validated and skipped; the rare
// strings with escapes or non-ASCII bytes, and non-string option values,
// are handed to encoding/json so that their semantics stay identical.
func decodeInteraction(data []byte, in *interaction) error {
	d := decoder{data: data}
	d.ws()
	if !d.nullLit() {
		if d.peek() != '{' {
			return d.typeErr()
		}
		d.interaction(in)
	}
	if d.err != nil {
		return d.err
	}
	d.ws()
	if d.pos != len(d.data) {
		return d.syntax("after top-level value")
	}
	return nil
}

// maxDepth is encoding/json's nesting limit.
const maxDepth = 10000

var errInteractionType = errors.New("discord: interaction field of the wrong JSON type")

type decoder struct {
	data  []byte
	pos   int
	depth int
	err   error
}

func (d *decoder) syntax(where string) error {
	if d.err == nil {
		d.err = errors.New("discord: malformed interaction JSON at offset " + strconv.Itoa(d.pos) + " " + where)
	}
	return d.err
}

func (d *decoder) typeErr() error {
	if d.err == nil {
		d.err = errInteractionType
	}
	return d.err
}

func (d *decoder) ws() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// peek returns the next byte after white space, 0 at the end.
func (d *decoder) peek() byte {
	d.ws()
	if d.pos < len(d.data) {
		return d.data[d.pos]
	}
	return 0
}

// nullLit consumes a null literal if one is next.
func (d *decoder) nullLit() bool {
	if d.peek() == 'n' && bytes.HasPrefix(d.data[d.pos:], []byte("null")) {
		d.pos += 4
		return true
	}
	return false
}

// object iterates over the members of the object starting at pos: each call
// returns the next key (unescaped; only valid until the next call) with pos
// at its value, or ok=false at the closing brace or on error.
func (d *decoder) object(first bool) (key []byte, ok bool) {
	if d.err != nil {
		return nil, false
	}
	if first {
		if d.peek() != '{' {
			d.typeErr()
			return nil, false
		}
		d.pos++
		if d.depth++; d.depth > maxDepth {
			d.syntax("exceeded max depth")
			return nil, false
		}
		if d.peek() == '}' {
			d.pos++
			d.depth--
			return nil, false
		}
	} else {
		switch d.peek() {
		case ',':
			d.pos++
		case '}':
			d.pos++
			d.depth--
			return nil, false
		default:
			d.syntax("after object value")
			return nil, false
		}
	}
	if d.peek() != '"' {
		d.syntax("looking for object key")
		return nil, false
	}
	key, _ = d.stringBytes()
	if d.err != nil {
		return nil, false
	}
	if d.peek() != ':' {
		d.syntax("after object key")
		return nil, false
	}
	d.pos++
	d.ws()
	return key, true
}

// field canonicalises key to the one of names it matches, exactly or, as
// encoding/json does, case-insensitively; unknown keys come back unchanged.
func field(key []byte, names ...string) string {
	for _, n := range names {
		if string(key) == n {
			return n
		}
	}
	for _, n := range names {
		if bytes.EqualFold(key, []byte(n)) {
			return n
		}
	}
	return ""
}

// stringBytes reads the string token at pos and returns its value; copied
// reports whether the bytes are a fresh copy rather than a slice of data.
func (d *decoder) stringBytes() (s []byte, copied bool) {
	start := d.pos
	i := start + 1
	for ; i < len(d.data); i++ {
		c := d.data[i]
		if c == '"' {
			d.pos = i + 1
			return d.data[start+1 : i], false
		}
		if c < 0x20 || c >= 0x80 || c == '\\' {
			break
		}
	}
	// Slow path: find the end, validating escapes, and let encoding/json
	// unescape (and replace invalid UTF-8) exactly as it always does.
	for ; i < len(d.data); i++ {
		c := d.data[i]
		switch {
		case c == '"':
			var v string
			if err := json.Unmarshal(d.data[start:i+1], &v); err != nil {
				d.syntax("in string")
				return nil, false
			}
			d.pos = i + 1
			return []byte(v), true
		case c < 0x20:
			d.pos = i
			d.syntax("in string")
			return nil, false
		case c == '\\':
			i++
			if i >= len(d.data) {
				break
			}
			switch d.data[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(d.data) {
					i = len(d.data)
					break
				}
				for _, h := range d.data[i+1 : i+5] {
					if !isHex(h) {
						d.pos = i
						d.syntax("in \\u escape")
						return nil, false
					}
				}
				i += 4
			default:
				d.pos = i
				d.syntax("in string escape")
				return nil, false
			}
		}
	}
	d.pos = len(d.data)
	d.syntax("in string literal")
	return nil, false
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// str decodes a string (or null, which leaves *dst alone) into dst.
func (d *decoder) str(dst *string) {
	switch d.peek() {
	case '"':
		if b, _ := d.stringBytes(); d.err == nil {
			*dst = string(b)
		}
	case 'n':
		if !d.nullLit() {
			d.skip()
		}
	default:
		d.mismatch()
	}
}

// integer decodes a JSON integer (or null) into dst like encoding/json.
func (d *decoder) integer(dst *int) {
	if d.peek() == 'n' && d.nullLit() {
		return
	}
	start := d.pos
	d.skip()
	if d.err != nil {
		return
	}
	lit := d.data[start:d.pos]
	if c := lit[0]; c != '-' && (c < '0' || c > '9') {
		d.typeErr()
		return
	}
	n, err := strconv.ParseInt(string(lit), 10, 0)
	if err != nil {
		d.typeErr()
		return
	}
	*dst = int(n)
}

// boolean decodes true, false (or null) into dst.
func (d *decoder) boolean(dst *bool) {
	switch d.peek() {
	case 't', 'f':
		start := d.pos
		d.skip()
		if d.err == nil {
			*dst = d.data[start] == 't'
		}
	case 'n':
		if !d.nullLit() {
			d.skip()
		}
	default:
		d.mismatch()
	}
}

// mismatch skips a value of the wrong type, recording a type error unless
// the value is malformed (a syntax error takes precedence, as in
// encoding/json, which validates the whole input first).
func (d *decoder) mismatch() {
	d.skip()
	d.typeErr()
}

// value decodes an option value: strings directly, anything else through
// encoding/json into the interface.
func (d *decoder) value(dst *any) {
	if d.peek() == '"' {
		b, _ := d.stringBytes()
		if d.err == nil {
			*dst = string(b)
		}
		return
	}
	start := d.pos
	d.skip()
	if d.err != nil {
		return
	}
	var v any
	if err := json.Unmarshal(d.data[start:d.pos], &v); err != nil {
		d.typeErr()
		return
	}
	*dst = v
}

// skip validates and skips any JSON value.
func (d *decoder) skip() {
	if d.err != nil {
		return
	}
	switch c := d.peek(); {
	case c == '{':
		for _, ok := d.object(true); ok; _, ok = d.object(false) {
			d.skip()
		}
	case c == '[':
		for ok := d.array(true); ok; ok = d.array(false) {
			d.skip()
		}
	case c == '"':
		d.stringBytes()
	case c == '-' || '0' <= c && c <= '9':
		d.number()
	case c == 't':
		d.literal("true")
	case c == 'f':
		d.literal("false")
	case c == 'n':
		d.literal("null")
	default:
		d.syntax("looking for beginning of value")
	}
}

func (d *decoder) literal(lit string) {
	if !bytes.HasPrefix(d.data[d.pos:], []byte(lit)) {
		d.syntax("in literal")
		return
	}
	d.pos += len(lit)
}

// number skips a number, validating JSON's number grammar.
func (d *decoder) number() {
	i := d.pos
	digits := func() int {
		n := 0
		for i < len(d.data) && '0' <= d.data[i] && d.data[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if i < len(d.data) && d.data[i] == '-' {
		i++
	}
	switch {
	case i < len(d.data) && d.data[i] == '0':
		i++
	case digits() == 0:
		d.pos = i
		d.syntax("in numeric literal")
		return
	}
	if i < len(d.data) && d.data[i] == '.' {
		i++
		if digits() == 0 {
			d.pos = i
			d.syntax("after decimal point in numeric literal")
			return
		}
	}
	if i < len(d.data) && (d.data[i] == 'e' || d.data[i] == 'E') {
		i++
		if i < len(d.data) && (d.data[i] == '+' || d.data[i] == '-') {
			i++
		}
		if digits() == 0 {
			d.pos = i
			d.syntax("in exponent of numeric literal")
			return
		}
	}
	d.pos = i
}

// array iterates over the elements of the array at pos: each true return
// leaves pos at the next element.
func (d *decoder) array(first bool) bool {
	if d.err != nil {
		return false
	}
	if first {
		if d.peek() != '[' {
			d.typeErr()
			return false
		}
		d.pos++
		if d.depth++; d.depth > maxDepth {
			d.syntax("exceeded max depth")
			return false
		}
		if d.peek() == ']' {
			d.pos++
			d.depth--
			return false
		}
		return true
	}
	switch d.peek() {
	case ',':
		d.pos++
		d.ws()
		return true
	case ']':
		d.pos++
		d.depth--
		return false
	}
	d.syntax("after array element")
	return false
}

// objectOrNull reports whether an object follows; null is consumed and
// anything else is a type error (skipped).
func (d *decoder) objectOrNull() (isObject bool, isNull bool) {
	switch d.peek() {
	case '{':
		return true, false
	case 'n':
		if d.nullLit() {
			return false, true
		}
		d.skip()
	default:
		d.mismatch()
	}
	return false, false
}

func (d *decoder) interaction(in *interaction) {
	for key, ok := d.object(true); ok; key, ok = d.object(false) {
		switch field(key, "id", "application_id", "type", "token", "guild_id", "channel_id", "member", "user", "data", "message") {
		case "id":
			d.str(&in.ID)
		case "application_id":
			d.str(&in.AppID)
		case "type":
			d.integer(&in.Type)
		case "token":
			d.str(&in.Token)
		case "guild_id":
			d.str(&in.GuildID)
		case "channel_id":
			d.str(&in.ChannelID)
		case "member":
			if obj, null := d.objectOrNull(); obj {
				if in.Member == nil {
					in.Member = new(member)
				}
				d.member(in.Member)
			} else if null {
				in.Member = nil
			}
		case "user":
			d.userPtr(&in.User)
		case "data":
			if obj, _ := d.objectOrNull(); obj {
				d.interactionData(&in.Data)
			}
		case "message":
			if obj, null := d.objectOrNull(); obj {
				if in.Message == nil {
					in.Message = new(struct {
						ID    string `json:"id"`
						Flags int    `json:"flags"`
					})
				}
				for key, ok := d.object(true); ok; key, ok = d.object(false) {
					switch field(key, "id", "flags") {
					case "id":
						d.str(&in.Message.ID)
					case "flags":
						d.integer(&in.Message.Flags)
					default:
						d.skip()
					}
				}
			} else if null {
				in.Message = nil
			}
		default:
			d.skip()
		}
	}
}

func (d *decoder) userPtr(p **user) {
	obj, null := d.objectOrNull()
	switch {
	case obj:
		if *p == nil {
			*p = new(user)
		}
		for key, ok := d.object(true); ok; key, ok = d.object(false) {
			switch field(key, "id", "bot") {
			case "id":
				d.str(&(*p).ID)
			case "bot":
				d.boolean(&(*p).Bot)
			default:
				d.skip()
			}
		}
	case null:
		*p = nil
	}
}

func (d *decoder) member(m *member) {
	for key, ok := d.object(true); ok; key, ok = d.object(false) {
		switch field(key, "user", "permissions") {
		case "user":
			d.userPtr(&m.User)
		case "permissions":
			d.str(&m.Permissions)
		default:
			d.skip()
		}
	}
}

func (d *decoder) interactionData(data *interactionData) {
	for key, ok := d.object(true); ok; key, ok = d.object(false) {
		switch field(key, "name", "options", "custom_id") {
		case "name":
			d.str(&data.Name)
		case "options":
			d.options(&data.Options)
		case "custom_id":
			d.str(&data.CustomID)
		default:
			d.skip()
		}
	}
}

// options decodes an array of options like encoding/json decodes into an
// existing slice: elements are decoded into place, then it is truncated.
func (d *decoder) options(p *[]option) {
	switch d.peek() {
	case '[':
	case 'n':
		if d.nullLit() {
			*p = nil
			return
		}
		d.skip()
		return
	default:
		d.mismatch()
		return
	}
	s := *p
	i := 0
	for ok := d.array(true); ok; ok = d.array(false) {
		if i >= len(s) {
			if i < cap(s) {
				s = s[:i+1]
			} else {
				s = append(s, option{})
			}
		}
		d.option(&s[i])
		i++
	}
	if d.err != nil {
		return
	}
	if i == 0 {
		s = []option{}
	}
	*p = s[:i]
}

func (d *decoder) option(o *option) {
	obj, _ := d.objectOrNull()
	if !obj {
		return
	}
	for key, ok := d.object(true); ok; key, ok = d.object(false) {
		switch field(key, "name", "type", "value", "focused", "options") {
		case "name":
			d.str(&o.Name)
		case "type":
			d.integer(&o.Type)
		case "value":
			d.value(&o.Value)
		case "focused":
			d.boolean(&o.Focused)
		case "options":
			d.options(&o.Options)
		default:
			d.skip()
		}
	}
}
