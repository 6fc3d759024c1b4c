module github.com/gosio/socketio/admin

go 1.26.8

require github.com/gosio/socketio v0.0.0

require go.uber.org/goleak v1.3.0

require (
	github.com/gobwas/httphead v0.1.0 // indirect
	github.com/gobwas/ws v1.5.0 // indirect
	golang.org/x/crypto v0.59.0
)

replace github.com/gosio/socketio => ..
