"""What the worker's web server serves: live views of claims and alerts, and the dashboard."""
