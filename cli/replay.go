package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/spf13/cobra"

	"github.com/orderhub/orderhub/adapters/sqlitebus"
	"github.com/orderhub/orderhub/app"
	"github.com/orderhub/orderhub/pipeline"
)

func replayCmd(e *env) *cobra.Command {
	var dry bool
	c := &cobra.Command{
		Use:   "replay",
		Short: "Re-publish poisoned messages to the topic they failed on, after the cause is fixed",
		Long: `replay takes every message on orders.poison not replayed yet and publishes it again on
the topic it was consumed from, where its stage picks it up (stages are idempotent, so an
order that went further meanwhile is not processed twice). --dry-run lists them instead.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			a, err := app.Open(ctx, e.cfg, e.log)
			if err != nil {
				return err
			}
			defer a.Close()
			if dry {
				return a.Bus.Read(ctx, pipeline.TopicPoison, 0, func(env sqlitebus.Envelope) error {
					fmt.Fprintf(e.stdout, "%d\t%s\t%s\t%s\n", env.Offset, env.Metadata[pipeline.PoisonTopicKey],
						env.Metadata["key"], env.Metadata[pipeline.PoisonReasonKey])
					return nil
				})
			}
			n, err := replay(ctx, a)
			fmt.Fprintf(e.stdout, "replayed %d message(s)\n", n)
			return err
		},
	}
	c.Flags().BoolVar(&dry, "dry-run", false, "list the poisoned messages without replaying them")
	return c
}

// replay moves poisoned messages back, committing each as the group
// "orderhub.replay" so none is replayed twice.
func replay(ctx context.Context, a *app.App) (int, error) {
	sub, err := a.Bus.Subscriber(sqlitebus.SubscriberConfig{ConsumerGroup: pipeline.GroupPrefix + "replay"})
	if err != nil {
		return 0, err
	}
	defer sub.Close()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	msgs, err := sub.Subscribe(ctx, pipeline.TopicPoison)
	if err != nil {
		return 0, err
	}
	pub := a.Bus.Publisher()
	n := 0
	for {
		select {
		case m, ok := <-msgs:
			if !ok {
				return n, nil
			}
			topic := m.Metadata.Get(pipeline.PoisonTopicKey)
			if topic == "" {
				m.Ack()
				continue
			}
			// A new UUID: the bus would ignore the one the topic has.
			out := message.NewMessage(fmt.Sprintf("%s~replay-%d", m.UUID, time.Now().UnixNano()), m.Payload)
			for k, v := range m.Metadata {
				switch k {
				case pipeline.PoisonReasonKey, pipeline.PoisonTopicKey, pipeline.PoisonHandlerKey, "subscriber_poisoned":
				default:
					out.Metadata.Set(k, v)
				}
			}
			if err := pub.Publish(topic, out); err != nil {
				m.Nack()
				return n, err
			}
			m.Ack()
			n++
		case <-time.After(time.Second):
			return n, nil
		case <-ctx.Done():
			return n, nil
		}
	}
}
