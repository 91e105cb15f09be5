print("minipod")
