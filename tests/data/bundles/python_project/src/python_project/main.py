def main() -> None:
    print("python_project")
