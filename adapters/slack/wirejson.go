package slack

import "github.com/slack-go/slack"

// slack-go encodes a message's blocks, and each context and actions
// block's elements, through MarshalJSON methods: encoding/json encodes each
// level on its own, then copies and re-checks it inside its parent, so a
// message is encoded two or three times over. wireMessage is the same
// document with plain slices in their place, encoded once. Only the kinds
// of block the adapter sends are mirrored; a message with any other kind,
// an accessory or attachments is encoded as slack-go does.
type wireMessage struct {
	Username        string `json:"username,omitempty"`
	IconEmoji       string `json:"icon_emoji,omitempty"`
	IconURL         string `json:"icon_url,omitempty"`
	Channel         string `json:"channel,omitempty"`
	ThreadTimestamp string `json:"thread_ts,omitempty"`
	Text            string `json:"text,omitempty"`
	Parse           string `json:"parse,omitempty"`
	Blocks          *[]any `json:"blocks,omitempty"`
	ResponseType    string `json:"response_type,omitempty"`
	ReplaceOriginal bool   `json:"replace_original"`
	DeleteOriginal  bool   `json:"delete_original"`
	ReplyBroadcast  bool   `json:"reply_broadcast,omitempty"`
	UnfurlLinks     *bool  `json:"unfurl_links,omitempty"`
	UnfurlMedia     *bool  `json:"unfurl_media,omitempty"`
}

type wireContext struct {
	Type     slack.MessageBlockType `json:"type"`
	BlockID  string                 `json:"block_id,omitempty"`
	Elements []slack.MixedElement   `json:"elements"`
}

type wireActions struct {
	Type     slack.MessageBlockType `json:"type"`
	BlockID  string                 `json:"block_id,omitempty"`
	Elements []slack.BlockElement   `json:"elements"`
}

// wire returns what to encode for m: its mirror, or m itself when it has
// something the mirror does not cover.
func wire(m *slack.WebhookMessage) any {
	if m == nil || len(m.Attachments) > 0 {
		return m
	}
	w := &wireMessage{
		Username: m.Username, IconEmoji: m.IconEmoji, IconURL: m.IconURL, Channel: m.Channel,
		ThreadTimestamp: m.ThreadTimestamp, Text: m.Text, Parse: m.Parse, ResponseType: m.ResponseType,
		ReplaceOriginal: m.ReplaceOriginal, DeleteOriginal: m.DeleteOriginal, ReplyBroadcast: m.ReplyBroadcast,
		UnfurlLinks: m.UnfurlLinks, UnfurlMedia: m.UnfurlMedia,
	}
	if m.Blocks == nil {
		return w
	}
	var blocks []any
	if m.Blocks.BlockSet != nil {
		blocks = make([]any, 0, len(m.Blocks.BlockSet))
	}
	for _, b := range m.Blocks.BlockSet {
		switch b := b.(type) {
		case *slack.SectionBlock:
			if b == nil || b.Accessory != nil {
				return m
			}
			blocks = append(blocks, b)
		case *slack.ContextBlock:
			if b == nil {
				return m
			}
			blocks = append(blocks, wireContext{Type: b.Type, BlockID: b.BlockID, Elements: b.ContextElements.Elements})
		case *slack.ActionBlock:
			if b == nil {
				return m
			}
			a := wireActions{Type: b.Type, BlockID: b.BlockID}
			if b.Elements != nil {
				a.Elements = b.Elements.ElementSet
			}
			blocks = append(blocks, a)
		default:
			return m
		}
	}
	w.Blocks = &blocks
	return w
}
