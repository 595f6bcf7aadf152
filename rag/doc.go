// Package rag answers questions over a document corpus with cited
// passages.
//
// An [Index] holds documents cut into chunks, each embedded by an
// [Embedder] and indexed by BM25; [Index.Search] fuses the two rankings.
// An [Engine] retrieves passages for a question and hands them, with the
// question as [Index.AnalyzeQuestion] reads it, to an [AnswerFunc]: the
// offline [Extractive] answerer by default, or a model through [LLM].
// Every [Citation] of an [Answer] quotes its document exactly.
//
// [NewIndex] makes an index in memory; [OpenIndex] opens one stored in a
// file and binds it there, so that [Index.Upsert] and [Index.Remove] are
// durable when they return (a checksummed change log, folded into the
// snapshot in the background) and [Index.Sync] saves what it changed.
//
// The offline path needs nothing but this package: the built-in word
// vectors ([EmbeddedWordVectors], GloVe with WordNet's parts of speech)
// give the local embedder and the question analysis their sense of
// meaning, and the answerer's sentence selector is a small fitted model
// ([DefaultSelector]).
//
// # Example
//
//	ix := rag.NewIndex(rag.IndexOptions{})
//	if _, err := ix.Sync(ctx, "seeds", nil); err != nil {
//		return err
//	}
//	ans, err := rag.NewEngine(ix).Ask(ctx, rag.Query{Question: "Who represents Iran in Moscow as ambassador?"})
//	if err != nil {
//		return err
//	}
//	fmt.Println(ans.ShortAnswer) // Kazem Jalali
//	fmt.Println(ans.Answer)      // Kazem Jalali — … [1]
//	for _, c := range ans.Citations {
//		fmt.Printf("[%d] %s: %q\n", c.N, c.DocID, c.Quote)
//	}
package rag
