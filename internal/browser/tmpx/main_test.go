package cdpt

import (
	"testing"

	"github.com/q2c-dev/q2c/internal/browser"
)

func TestX(t *testing.T) {
	b, err := browser.Start("")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	tab := b.Person(t, "http://127.0.0.1:18080")
	tab.Open("/login")
	tab.Fill("f-email", "exec@q2c.local")
	tab.Fill("f-password", "q2c-demo-password")
	tab.Click("form[action='/login'] button[type=submit]")
	tab.Until(`document.querySelector("a[href='/profile']") !== null`)
	tab.Open("/kpis")
	t.Log(browser.Eval[string](tab, `typeof uPlot + " " + document.querySelectorAll("script").length + " " + Array.from(document.querySelectorAll("script")).map(s=>s.src).join(",")`))
	t.Log(browser.Eval[string](tab, `try { const el = document.querySelector(".chart"); el.dataset.drawn=""; JSON.stringify(JSON.parse(el.dataset.chart)) } catch(e) { "ERR " + e }`))
}
