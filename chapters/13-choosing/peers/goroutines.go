// goroutines: the URLs fetched by Go's net/http, a goroutine per URL. The
// runtime parks a goroutine that waits on a socket and its netpoller
// (epoll) wakes it: chapter 10's coroutines on chapter 07's reactor, spread
// over the cores. Its Transport sets no cap on connections per host
// (MaxConnsPerHost 0); keep-alive is off, as the slow server closes anyway.
// Same command line as the Python peers: URLs on stdin, --save DIR, --timeout S.
// Left out: retries, redirects.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"
)

func load(client *http.Client, url string) ([]byte, error) {
	answer, err := client.Get(url)
	if err != nil {
		return nil, err
	}
	defer answer.Body.Close()
	if answer.StatusCode != 200 {
		return nil, fmt.Errorf("status %d", answer.StatusCode)
	}
	return io.ReadAll(answer.Body)
}

func main() {
	save := flag.String("save", "", "write the bodies to `DIR`/1, DIR/2, ... (URL order)")
	timeout := flag.Float64("timeout", 60, "per page, in `seconds`")
	flag.Parse()
	var urls []string
	for in := bufio.NewScanner(os.Stdin); in.Scan(); {
		if line := in.Text(); line != "" {
			urls = append(urls, line)
		}
	}
	t0 := time.Now()
	client := &http.Client{
		Timeout:   time.Duration(*timeout * float64(time.Second)),
		Transport: &http.Transport{DisableKeepAlives: true},
	}
	bodies, errs := make([][]byte, len(urls)), make([]error, len(urls))
	var wg sync.WaitGroup
	for i, url := range urls {
		wg.Add(1)
		go func(i int, url string) {
			defer wg.Done()
			bodies[i], errs[i] = load(client, url)
		}(i, url)
	}
	wg.Wait()
	failed, size := 0, 0
	for i, err := range errs {
		if err == nil && *save != "" {
			err = os.WriteFile(filepath.Join(*save, strconv.Itoa(i+1)), bodies[i], 0o644)
		}
		if err != nil {
			failed++
			fmt.Fprintf(os.Stderr, "goroutines: %s: %v\n", urls[i], err)
		}
		size += len(bodies[i])
	}
	fmt.Printf("goroutines: %d fetched, %d failed, %d bytes in %.3f s\n",
		len(urls)-failed, failed, size, time.Since(t0).Seconds())
	if failed > 0 {
		os.Exit(1)
	}
}
