"""gonogo: an executable, audited go/no-go gate and deploy runner for deployment checklists."""

__version__ = "0.1.0"
