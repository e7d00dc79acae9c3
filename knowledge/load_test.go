package knowledge

import "testing"

func TestLoadEmbedded(t *testing.T) {
	kb, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	t.Log(kb.Sections())
}
