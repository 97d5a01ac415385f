"""``python -m ganhacks`` (also what ``torchrun -m ganhacks`` runs)."""

from ganhacks.cli import main

raise SystemExit(main())
