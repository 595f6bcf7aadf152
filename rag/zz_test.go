package rag
import ("testing";"fmt";"context")
func TestZZQ(t *testing.T){
 ix := NewIndex(IndexOptions{})
 if _, err := ix.Sync(context.Background(), "../seeds", nil); err != nil { t.Fatal(err) }
 for _, s := range []string{"What will the weather be in Baku tomorrow?", "How many Geran-2 drones did Russia set out to make at home?", "What is the population of Moscow?"} {
  q := ix.AnalyzeQuestion(s)
  fmt.Printf("%q core=%q kind=%q focus=%q\n", s, q.core(), q.Kind, q.Focus)
  for _, t := range q.Terms { fmt.Printf("   %+v\n", t) }
 }
}
