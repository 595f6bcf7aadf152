package rag_test

import (
	"context"
	"fmt"

	"github.com/ragteam/rag/rag"
)

func Example() {
	ctx := context.Background()
	ix := rag.NewIndex(rag.IndexOptions{})
	if _, err := ix.Sync(ctx, "../seeds", nil); err != nil {
		fmt.Println(err)
		return
	}
	ans, err := rag.NewEngine(ix).Ask(ctx, rag.Query{Question: "Who represents Iran in Moscow as ambassador?"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(ans.ShortAnswer)
	fmt.Println(ans.Citations[0].DocID)
	// Output:
	// Kazem Jalali
	// 001_d85a46f5a13e0507.txt
}
