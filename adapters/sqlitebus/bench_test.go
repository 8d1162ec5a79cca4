package sqlitebus

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
)

func reportRate(b *testing.B, msgs int, start time.Time) {
	b.ReportMetric(float64(msgs)/time.Since(start).Seconds(), "msgs/s")
}

// BenchmarkPublish measures publishing one message per call and 100 per
// call (one transaction each), from one goroutine and from many (whose
// single-message publishes the writer commits together).
func BenchmarkPublish(b *testing.B) {
	for _, bc := range []struct {
		name     string
		batch    int
		parallel bool
	}{
		{"single", 1, false},
		{"single-parallel", 1, true},
		{"batch-100", 100, false},
	} {
		b.Run(bc.name, func(b *testing.B) {
			bus := openBus(b, newBusFile(b), Config{})
			pub := bus.Publisher()
			batch := func(prefix string, i int) []*message.Message {
				msgs := make([]*message.Message, bc.batch)
				for j := range msgs {
					msgs[j] = message.NewMessage(fmt.Sprintf("%s-%d-%d", prefix, i, j), []byte(`{"id":"ord_1","lines":[]}`))
					msgs[j].Metadata.Set(KeyMetadata, fmt.Sprint("ord_", i%100))
				}
				return msgs
			}
			b.ResetTimer()
			start := time.Now()
			if bc.parallel {
				b.SetParallelism(16)
				var n int64
				b.RunParallel(func(pb *testing.PB) {
					prefix := fmt.Sprint(time.Now().UnixNano(), "-", n)
					for i := 0; pb.Next(); i++ {
						if err := pub.Publish("bench", batch(prefix, i)...); err != nil {
							b.Error(err)
							return
						}
					}
				})
			} else {
				for i := range b.N {
					if err := pub.Publish("bench", batch("m", i)...); err != nil {
						b.Fatal(err)
					}
				}
			}
			reportRate(b, b.N*bc.batch, start)
		})
	}
}

// BenchmarkConsume measures delivery plus committed acks of messages already
// on the topic, in strict order (MaxInFlight 1) and 64 at a time.
func BenchmarkConsume(b *testing.B) {
	for _, inFlight := range []int{1, 64} {
		b.Run(fmt.Sprint("in-flight-", inFlight), func(b *testing.B) {
			bus := openBus(b, newBusFile(b), Config{})
			pub := bus.Publisher()
			for i := 0; i < b.N; i += 100 {
				msgs := make([]*message.Message, 0, 100)
				for j := i; j < min(i+100, b.N); j++ {
					m := message.NewMessage(fmt.Sprint("m", j), []byte(`{"id":"ord_1","lines":[]}`))
					m.Metadata.Set(KeyMetadata, fmt.Sprint("ord_", j%1000))
					msgs = append(msgs, m)
				}
				if err := pub.Publish("bench", msgs...); err != nil {
					b.Fatal(err)
				}
			}
			sub, err := bus.Subscriber(SubscriberConfig{ConsumerGroup: "bench", MaxInFlight: inFlight})
			if err != nil {
				b.Fatal(err)
			}
			defer sub.Close()
			b.ResetTimer()
			start := time.Now()
			ch, err := sub.Subscribe(context.Background(), "bench")
			if err != nil {
				b.Fatal(err)
			}
			for range b.N {
				m := <-ch
				// Ack from another goroutine, as router handlers do, so
				// that up to inFlight acks can be outstanding.
				go m.Ack()
			}
			reportRate(b, b.N, start)
		})
	}
}
