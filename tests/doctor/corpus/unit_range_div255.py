"""Tabular/pixel data scaled by / 255 only, with a tanh generator: real in [0, 1], fakes in [-1, 1]."""
# expect: T01=fail T02=pass T03=pass T04=na T05=pass T06=absent T07=absent T08=absent T09=pass
# expect: T10=absent T11=pass T12=na T13=absent T14=absent T15=absent T16=na T17=absent
# reason: T01=fail G ends with tanh but the pixels are only divided by 255.0
import numpy as np
import torch
import torch.nn as nn

pixels = np.load("icons.npy").reshape(-1, 256).astype(np.float32)
data = torch.tensor(pixels / 255.0)
gen = nn.Sequential(nn.Linear(20, 128), nn.LeakyReLU(0.2), nn.Linear(128, 256), nn.Tanh())
dis = nn.Sequential(nn.Linear(256, 128), nn.LeakyReLU(0.2), nn.Linear(128, 1))
crit = nn.BCEWithLogitsLoss()
gopt = torch.optim.Adam(gen.parameters(), lr=3e-4)
dopt = torch.optim.Adam(dis.parameters(), lr=3e-4)

for it in range(20000):
    real = data[torch.randint(0, len(data), (64,))]
    fake = gen(torch.randn(64, 20))
    dloss = crit(dis(real), torch.ones(64, 1)) + crit(dis(fake.detach()), torch.zeros(64, 1))
    dopt.zero_grad()
    dloss.backward()
    dopt.step()
    gloss = crit(dis(fake), torch.ones(64, 1))
    gopt.zero_grad()
    gloss.backward()
    gopt.step()
