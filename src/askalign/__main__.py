from askalign.cli import app

app(prog_name="askalign")
