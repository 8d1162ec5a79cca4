package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/orderhub/orderhub/adapters/sqlitebus"
	"github.com/orderhub/orderhub/app"
)

// line is a message as consume prints it.
type line struct {
	Topic       string            `json:"topic"`
	Offset      int64             `json:"offset,omitempty"`
	UUID        string            `json:"uuid"`
	Key         string            `json:"key,omitempty"`
	PublishedAt *time.Time        `json:"published_at,omitempty"`
	Metadata    map[string]string `json:"metadata,omitempty"`
	// Payload is the message body: embedded as JSON when it is JSON, as a
	// string otherwise.
	Payload json.RawMessage `json:"payload"`
}

func payloadOf(b []byte) json.RawMessage {
	if json.Valid(b) && len(b) > 0 {
		return b
	}
	s, _ := json.Marshal(string(b))
	return s
}

func consumeCmd(e *env) *cobra.Command {
	var group string
	var follow bool
	var from int64
	c := &cobra.Command{
		Use:   "consume [TOPIC]",
		Short: "Print a topic's messages as JSON lines (without TOPIC, list the topics)",
		Long: `consume prints the messages of a topic, one JSON object per line:
{"topic", "offset", "uuid", "key", "published_at", "metadata", "payload"}, with the
payload embedded as JSON (a routed order on fulfilment.<warehouse>, a shipment request
on logistics ...).

Without --group it reads from --from (default the beginning) and remembers nothing.
With --group NAME it reads as that consumer group: each message once per group, and the
next run of the same group goes on where this one stopped.
--follow keeps waiting for new messages until interrupted.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			a, err := app.Open(ctx, e.cfg, e.log)
			if err != nil {
				return err
			}
			defer a.Close()
			if len(args) == 0 {
				return listTopics(ctx, e, a)
			}
			enc := json.NewEncoder(e.stdout)
			if group != "" {
				return consumeGroup(ctx, a, args[0], group, follow, enc)
			}
			next := from
			for {
				err := a.Bus.Read(ctx, args[0], next, func(env sqlitebus.Envelope) error {
					t := env.PublishedAt
					next = env.Offset + 1
					return enc.Encode(line{Topic: env.Topic, Offset: env.Offset, UUID: env.UUID, Key: env.Key,
						PublishedAt: &t, Metadata: env.Metadata, Payload: payloadOf(env.Payload)})
				})
				if err != nil || !follow {
					return ignoreCancel(err)
				}
				select {
				case <-ctx.Done():
					return nil
				case <-time.After(250 * time.Millisecond):
				}
			}
		},
	}
	c.Flags().StringVar(&group, "group", "", "consume as this consumer group, committing what was printed")
	c.Flags().BoolVar(&follow, "follow", false, "keep printing new messages until interrupted")
	c.Flags().Int64Var(&from, "from", 0, "first offset to print (without --group)")
	return c
}

func consumeGroup(ctx context.Context, a *app.App, topic, group string, follow bool, enc *json.Encoder) error {
	sub, err := a.Bus.Subscriber(sqlitebus.SubscriberConfig{ConsumerGroup: group})
	if err != nil {
		return err
	}
	defer sub.Close()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	msgs, err := sub.Subscribe(ctx, topic)
	if err != nil {
		return err
	}
	// Without --follow, stop once the topic has been quiet for a moment:
	// the group has caught up with what was there.
	const idle = time.Second
	timer := time.NewTimer(idle)
	defer timer.Stop()
	for {
		var wait <-chan time.Time
		if !follow {
			wait = timer.C
		}
		select {
		case m, ok := <-msgs:
			if !ok {
				return nil
			}
			l := line{Topic: topic, UUID: m.UUID, Key: m.Metadata.Get("key"), Metadata: m.Metadata, Payload: payloadOf(m.Payload)}
			l.Offset, _ = sqlitebus.OffsetFromContext(m.Context())
			if err := enc.Encode(l); err != nil {
				m.Nack()
				return err
			}
			m.Ack()
			timer.Reset(idle)
		case <-wait:
			return nil
		case <-ctx.Done():
			return nil
		}
	}
}

func listTopics(ctx context.Context, e *env, a *app.App) error {
	ts, err := a.Bus.Topics(ctx)
	if err != nil {
		return err
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i].Name < ts[j].Name })
	tw := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TOPIC\tMESSAGES\tLAST OFFSET")
	for _, t := range ts {
		fmt.Fprintf(tw, "%s\t%d\t%d\n", t.Name, t.Messages, t.LastOffset)
	}
	return tw.Flush()
}

func ignoreCancel(err error) error {
	if err == context.Canceled {
		return nil
	}
	return err
}
