"""One-sided label smoothing (real = 0.9) with a module-level Sequential G and D."""
# expect: T01=pass T02=pass T03=pass T04=pass T05=pass T06=pass T07=absent T08=absent T09=pass
# expect: T10=absent T11=pass T12=na T13=absent T14=absent T15=absent T16=na T17=absent
import torch
import torch.nn as nn

Z = 32
generator = nn.Sequential(nn.Linear(Z, 256), nn.BatchNorm1d(256), nn.LeakyReLU(0.2), nn.Linear(256, 784), nn.Tanh())
discriminator = nn.Sequential(nn.Linear(784, 256), nn.BatchNorm1d(256), nn.LeakyReLU(0.2), nn.Linear(256, 1))
criterion = nn.BCEWithLogitsLoss()
g_optimizer = torch.optim.Adam(generator.parameters(), lr=2e-4, betas=(0.5, 0.999))
d_optimizer = torch.optim.Adam(discriminator.parameters(), lr=2e-4, betas=(0.5, 0.999))
REAL, FAKE = 0.9, 0.0

for images in torch.load("faces.pt"):
    images = images.view(images.size(0), -1) * 2 - 1
    n = images.size(0)
    real_targets = torch.full((n, 1), REAL)
    fake_targets = torch.full((n, 1), FAKE)
    fake_images = generator(torch.randn(n, Z))
    d_loss = criterion(discriminator(images), real_targets) + criterion(discriminator(fake_images.detach()), fake_targets)
    d_optimizer.zero_grad()
    d_loss.backward()
    d_optimizer.step()
    g_loss = criterion(discriminator(fake_images), torch.ones(n, 1))
    g_optimizer.zero_grad()
    g_loss.backward()
    g_optimizer.step()
