package config

import (
	"gopkg.in/yaml.v3"

	"github.com/orderhub/orderhub/internal/strictyaml"
)

// Parse reads a configuration from data, laying it over Default() and
// validating the result; name stands for the file in messages. An empty
// document gives Default(). Problems come back as an *Error.
func Parse(data []byte, name string) (Config, error) {
	cfg := Default()
	if err := strictyaml.Decode(data, name, &cfg, cfg.Validate); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// describe names what a node holds, for "want X, got Y".
func describe(n *yaml.Node) string { return strictyaml.Describe(n) }
