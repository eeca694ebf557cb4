def test_main() -> None:
    assert True
