package engineio

import (
	"errors"
	"net/http"
)

// cookie builds the session cookie for sid; the defaults follow the
// reference: io=<sid>; Path=/; HttpOnly; SameSite=Lax.
func (o *CookieOptions) cookie(sid string) *http.Cookie {
	c := &http.Cookie{
		Name:        o.Name,
		Value:       sid,
		Path:        o.Path,
		Domain:      o.Domain,
		MaxAge:      o.MaxAge,
		Secure:      o.Secure,
		HttpOnly:    !o.NoHTTPOnly,
		SameSite:    o.SameSite,
		Partitioned: o.Partitioned,
	}
	if c.Name == "" {
		c.Name = "io"
	}
	if c.Path == "" {
		c.Path = "/"
	}
	if c.SameSite == 0 {
		c.SameSite = http.SameSiteLaxMode
	}
	return c
}

// validate rejects cookie options net/http would silently drop or mangle.
func (o *CookieOptions) validate() error {
	c := o.cookie("x")
	if err := c.Valid(); err != nil {
		return errors.New("engineio: invalid cookie options: " + err.Error())
	}
	return nil
}
