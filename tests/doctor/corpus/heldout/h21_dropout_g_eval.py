"""MLP generator with dropout; samples are drawn after switching G to eval mode."""
# expect: T01=pass T02=pass T03=pass T04=na T05=pass T06=pass T07=absent T08=absent T09=pass
# expect: T10=absent T11=pass T12=na T13=absent T14=absent T15=absent T16=na T17=fail
# reason: T17=fail G has nn.Dropout(0.3) and sample() calls G.eval(), which turns dropout off
# reason: T06=pass real targets are drawn uniformly in [0.8, 1.0]
import torch
import torch.nn as nn

torch.manual_seed(1)
NOISE, FEATURES = 32, 16

G = nn.Sequential(
    nn.Linear(NOISE, 64), nn.LeakyReLU(0.2), nn.Dropout(0.3),
    nn.Linear(64, 64), nn.LeakyReLU(0.2), nn.Dropout(0.3),
    nn.Linear(64, FEATURES), nn.Tanh(),
)
D = nn.Sequential(nn.Linear(FEATURES, 64), nn.LeakyReLU(0.2), nn.Linear(64, 1))
criterion = nn.BCEWithLogitsLoss()
optG = torch.optim.Adam(G.parameters(), lr=1e-3, betas=(0.5, 0.999))
optD = torch.optim.Adam(D.parameters(), lr=1e-3, betas=(0.5, 0.999))
table = torch.load("features.pt")  # rows scaled to [-1, 1] upstream


def sample(n):
    G.eval()
    with torch.no_grad():
        out = G(torch.randn(n, NOISE))
    G.train()
    return out


for epoch in range(300):
    for real in table.split(256):
        n = real.size(0)
        real_targets = torch.empty(n, 1).uniform_(0.8, 1.0)
        fake = G(torch.randn(n, NOISE))
        lossD = criterion(D(real), real_targets) + criterion(D(fake.detach()), torch.zeros(n, 1))
        optD.zero_grad()
        lossD.backward()
        optD.step()
        lossG = criterion(D(fake), torch.ones(n, 1))
        optG.zero_grad()
        lossG.backward()
        optG.step()
    synthetic = sample(1000)
