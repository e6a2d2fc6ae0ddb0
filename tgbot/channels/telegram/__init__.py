"""The Telegram channel: python-telegram-bot wiring, handlers per chat kind, buttons, rendering
and delivery.

    app.py        ApplicationBuilder wiring, command menus, polling or the webhook server
    handlers.py   every handler's registration, the gate in front of them, the error path
    private.py    commands and private-chat questions
    group.py      group chats: when to speak, thread replies, the intro, /autoanswer
    inline.py     inline mode
    operator.py   /stats, /report, /reload for operators
    buttons.py    inline-keyboard presses
    delivery.py   sending replies: flood guard, statistics, retries
    render.py     Answer -> Telegram HTML and keyboards, split below the message limit
    state.py      what the handlers hold between updates

Never decides an answer itself: that is the core's job.
"""
