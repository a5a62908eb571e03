"""Speed measurements of cicrjax against peers (run as scripts: `python -m benchmarks.<name>`)."""
