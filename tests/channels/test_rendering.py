from __future__ import annotations

from channels.rendering import (
    CALLBACK_DATA_LIMIT,
    TELEGRAM_TEXT_LIMIT,
    WHATSAPP_TEXT_LIMIT,
    Button,
    Reply,
    callback_data,
    match_option,
    render_telegram,
    render_whatsapp,
    split_text,
    telegram_html,
    utf16_length,
)


def test_short_text_is_one_chunk() -> None:
    assert split_text("Hello there.", 4096) == ["Hello there."]


def test_split_prefers_sentence_boundaries() -> None:
    sentence = "This is sentence number {} of the grievance text. "
    text = "".join(sentence.format(i) for i in range(200))
    chunks = split_text(text, TELEGRAM_TEXT_LIMIT)
    assert len(chunks) > 1
    assert all(utf16_length(c) <= TELEGRAM_TEXT_LIMIT for c in chunks)
    assert all(c.endswith(".") for c in chunks)
    # Nothing lost or reordered apart from whitespace at the cuts.
    assert " ".join(chunks) == text.strip()


def test_split_prefers_paragraphs_in_the_second_half() -> None:
    first = "A" * 900 + "."
    second = "B b. " * 200
    chunks = split_text(first + "\n\n" + second, 1600, len)
    assert chunks[0] == first


def test_split_on_devanagari_danda() -> None:
    text = "यह एक लंबा वाक्य है। " * 120
    chunks = split_text(text, WHATSAPP_TEXT_LIMIT, len)
    assert len(chunks) >= 2
    assert all(len(c) <= WHATSAPP_TEXT_LIMIT for c in chunks)
    assert all(c.endswith("।") for c in chunks)


def test_split_hard_cuts_a_single_overlong_word() -> None:
    chunks = split_text("x" * 5000, 4096)
    assert [len(c) for c in chunks] == [4096, 904]


def test_split_counts_emoji_as_two_utf16_units() -> None:
    text = "\U0001f600" * 3000  # 6000 UTF-16 units
    chunks = split_text(text, TELEGRAM_TEXT_LIMIT)
    assert all(utf16_length(c) <= TELEGRAM_TEXT_LIMIT for c in chunks)
    assert "".join(chunks) == text


def test_telegram_html_escapes_and_keeps_bold() -> None:
    assert telegram_html("**MS-7K3Q-9** <b>&co</b> a*b_c") == (
        "<b>MS-7K3Q-9</b> &lt;b&gt;&amp;co&lt;/b&gt; a*b_c"
    )


def test_callback_data_short_payload_kept() -> None:
    assert callback_data('/inform{"category":"labour"}') == ('/inform{"category":"labour"}', False)


def test_callback_data_long_payload_gets_stable_short_key() -> None:
    payload = '/inform{"category":"regulation_licensing","state":"Uttar Pradesh"}'
    assert len(payload.encode()) > CALLBACK_DATA_LIMIT
    key, is_short = callback_data(payload)
    assert is_short and key.startswith("~")
    assert len(key.encode()) <= CALLBACK_DATA_LIMIT
    assert callback_data(payload)[0] == key
    # Multi-byte text counts in bytes, not characters.
    hindi = '/inform{"category":"श्रम और मज़दूरी से जुड़ी समस्या"}'
    assert len(hindi) <= 64 < len(hindi.encode())
    assert callback_data(hindi)[1] is True


def test_render_telegram_keyboard_under_last_chunk() -> None:
    payload = "/choose_category" + "x" * 80
    reply = Reply(
        text="Pick one. " * 500,
        buttons=(Button("Labour", "/labour"), Button("Other", payload)),
    )
    messages = render_telegram(reply)
    assert len(messages) == 2
    assert messages[0].reply_markup is None
    markup = messages[-1].reply_markup
    assert markup is not None
    datas = [b.callback_data for row in markup.inline_keyboard for b in row]
    assert datas[0] == "/labour"
    assert messages[-1].short_keys == {datas[1]: payload}


def test_render_whatsapp_numbered_options_and_answer_matching() -> None:
    reply = Reply.from_rasa(
        {
            "text": "Which **category**?",
            "buttons": [
                {"title": "Delayed payment", "payload": "/delayed_payment"},
                {"title": "Labour", "payload": "/labour"},
            ],
        }
    )
    (message,) = render_whatsapp(reply)
    assert message.body.startswith("Which *category*?")
    assert "1. Delayed payment\n2. Labour" in message.body
    assert "Reply with the number" in message.body
    assert match_option("2", message.options) == "/labour"
    assert match_option(" 1. ", message.options) == "/delayed_payment"
    assert match_option("२", message.options) == "/labour"
    assert match_option("labour", message.options) == "/labour"
    assert match_option("3", message.options) is None
    assert match_option("my payment is late", message.options) is None


def test_render_whatsapp_hint_in_hindi_for_hindi_text() -> None:
    reply = Reply(text="श्रेणी चुनें", buttons=(Button("श्रम", "/labour"),))
    (message,) = render_whatsapp(reply)
    assert "नंबर" in message.body
