module github.com/commsbot/commsbot

go 1.26.0

require (
	github.com/kljensen/snowball v0.10.0 // indirect
	go.yaml.in/yaml/v3 v3.0.6 // indirect
	golang.org/x/text v0.43.0 // indirect
)
