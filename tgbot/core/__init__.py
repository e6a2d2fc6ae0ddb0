"""The pure core: content, text, matching, red flags and answers, the same for every channel.

Never imports telegram, aiosqlite, matplotlib, starlette or uvicorn, nor any other room of
the package (channels, stats, report): import-linter contracts in pyproject.toml fail the
build when it does.

    model.py      immutable value types: topics, sources, levels, content problems
    yamlsrc.py    YAML with line numbers, so content problems name the line to fix
    text.py       normalisation, tokens and stems shared by the matcher and the detector
    markup.py     the light Markdown of content bodies, parsed into blocks
    redflags.py   the red-flag rule language, its compiler and the detector
    matching.py   the topic index and match()
    content.py    load and validate content/ into immutable packs
    ui_texts.py   which interface texts a channel needs from ui.yaml
    answers.py    answer_for(text) -> Answer: the single entry to the core
"""
