package store

import (
	"encoding/base64"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/q2c-dev/q2c/models"
)

// Page asks for one page of a list in key order.
type Page struct {
	Limit  int    // 1..MaxPageSize; 0 means DefaultPageSize
	Cursor string // opaque; empty for the first page
}

// Page sizes.
const (
	DefaultPageSize = 50
	MaxPageSize     = 200
)

// List is one page of results and the cursor of the next, empty at the end.
type List[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// Validate reports a bad limit or cursor against the query parameter names.
func (p Page) Validate() error {
	var v models.Validator
	v.Check(p.Limit >= 0 && p.Limit <= MaxPageSize, "limit", "must be between 1 and 200")
	if p.Cursor != "" {
		if _, err := base64.RawURLEncoding.DecodeString(p.Cursor); err != nil {
			v.Add("cursor", "is not a cursor this API returned")
		}
	}
	return v.Err()
}

func (p Page) limit() int {
	if p.Limit <= 0 {
		return DefaultPageSize
	}
	return p.Limit
}

func (p Page) after() string {
	b, _ := base64.RawURLEncoding.DecodeString(p.Cursor)
	return string(b)
}

// paginate trims the one extra row fetched to learn whether a next page
// exists, and encodes the last key as the cursor.
func paginate[T any](rows []T, p Page, key func(T) string) List[T] {
	if rows == nil {
		rows = []T{}
	}
	if len(rows) <= p.limit() {
		return List[T]{Items: rows}
	}
	rows = rows[:p.limit()]
	return List[T]{Items: rows, NextCursor: base64.RawURLEncoding.EncodeToString([]byte(key(rows[len(rows)-1])))}
}

// whereEq adds "column = value" for each (column, value) pair whose value
// is set, in the order given; an empty value means "any".
func whereEq(q *gormDB, pairs ...string) *gormDB {
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] != "" {
			q = q.Where(pairs[i]+" = ?", pairs[i+1])
		}
	}
	return q
}

// listAfter runs q ordered by column, starting after the page's cursor, and
// returns one page. key reads the same column from a row.
func listAfter[T any](q *gormDB, column string, p Page, key func(T) string) (List[T], error) {
	var rows []T
	q = q.Order(column).Limit(p.limit() + 1)
	if a := p.after(); a != "" {
		q = q.Where(column+" > ?", a)
	}
	if err := q.Find(&rows).Error; err != nil {
		return List[T]{}, err
	}
	return paginate(rows, p, key), nil
}

// listNewestFirst is listAfter in descending order of column: for logs
// whose keys grow with time (UUIDv7), the latest first.
func listNewestFirst[T any](q *gormDB, column string, p Page, key func(T) string) (List[T], error) {
	var rows []T
	q = q.Order(column + " DESC").Limit(p.limit() + 1)
	if a := p.after(); a != "" {
		q = q.Where(column+" < ?", a)
	}
	if err := q.Find(&rows).Error; err != nil {
		return List[T]{}, err
	}
	return paginate(rows, p, key), nil
}

// listByTimeNewestFirst pages through q newest first by the time column,
// the id column breaking ties, for records whose IDs are random (quotes,
// orders): the cursor holds both, so a page starts exactly after the last
// row of the one before, however many rows share an instant.
func listByTimeNewestFirst[T any](q *gormDB, timeCol, idCol string, p Page, key func(T) (time.Time, string)) (List[T], error) {
	var rows []T
	q = q.Order(timeCol + " DESC").Order(idCol + " DESC").Limit(p.limit() + 1)
	t, id, err := p.TimeAfter()
	if err != nil {
		return List[T]{}, err
	}
	if id != "" {
		q = q.Where("("+timeCol+" < ? OR ("+timeCol+" = ? AND "+idCol+" < ?))", t, t, id)
	}
	if err := q.Find(&rows).Error; err != nil {
		return List[T]{}, err
	}
	return paginate(rows, p, func(r T) string { return timeKey(key(r)) }), nil
}

// TimeAfter reads a cursor of a list kept in time order: the time and ID
// of the last row of the page before, or the zero time and "" for the
// first page.
func (p Page) TimeAfter() (time.Time, string, error) {
	a := p.after()
	if a == "" {
		return time.Time{}, "", nil
	}
	at, id, ok := strings.Cut(a, "|")
	t, err := time.Parse(time.RFC3339Nano, at)
	if !ok || err != nil || id == "" {
		return time.Time{}, "", models.Invalid("cursor", "is not a cursor this API returned")
	}
	return t, id, nil
}

// TimeCursor is the cursor of the page after a row kept in time order.
func TimeCursor(at time.Time, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(timeKey(at, id)))
}

func timeKey(at time.Time, id string) string { return at.UTC().Format(time.RFC3339Nano) + "|" + id }

type gormDB = gorm.DB

// likePattern is a LIKE pattern (with ESCAPE '\') finding search anywhere,
// ignoring case; ok is false for a blank search.
func likePattern(search string) (pattern string, ok bool) {
	search = strings.ToLower(strings.TrimSpace(search))
	if search == "" {
		return "", false
	}
	return "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(search) + "%", true
}
