// MinipodNet
