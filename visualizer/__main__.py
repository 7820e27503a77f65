"""`python -m visualizer`: the same as the `netviz` command."""

from visualizer.cli import run

if __name__ == "__main__":
    run()
