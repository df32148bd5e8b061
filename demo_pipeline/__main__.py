from demo_pipeline.cli import app

app(prog_name="python -m demo_pipeline")
